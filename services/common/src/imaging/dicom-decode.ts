import { VigilError } from '../errors/vigil-error';
import { decodeEncapsulatedFrame } from './dicom-codecs';
import { readFirstEncapsulatedFrame, readNativeFrame, type FrameSamples } from './dicom-frame';
import { frameToGrey } from './dicom-grey';
import { parseDicomBytes } from './dicom-parse';
import { readPixelModule } from './dicom-pixel-module';
import { unsupportedTransferSyntax } from './dicom-transfer-syntax';
import { assertWithinPixelBudget, type ImageLimits } from './image-limits';

/** What a caller may want to know about a DICOM image besides its pixels; no patient data. */
export interface DicomSummary {
  transferSyntaxUid: string;
  transferSyntaxName: string;
  photometric: string;
  modality?: string;
  rows: number;
  columns: number;
  frames: number;
  bitsStored: number;
}

export interface DecodedDicom {
  width: number;
  height: number;
  gray: Uint8Array;
  summary: DicomSummary;
}

/** The first frame of a DICOM image as 8-bit grey; refusals are VigilErrors (see decodeImage). */
export async function decodeDicom(bytes: Uint8Array, limits: ImageLimits): Promise<DecodedDicom> {
  const { dataSet, transferSyntax } = parseDicomBytes(bytes, limits);
  const pixel = dataSet.elements.x7fe00010;
  if (!pixel) {
    const modality = dataSet.string('x00080060')?.trim();
    const sopClass = dataSet.string('x00080016');
    throw new VigilError('VIGIL_UNPROCESSABLE', `The DICOM object has no Pixel Data (7FE0,0010)${modality ? `: it is a ${modality} object` : ''}`, {
      details: { reason: 'no-pixel-data', modality, sopClassUid: sopClass },
    });
  }
  const pm = readPixelModule(dataSet);
  assertWithinPixelBudget(pm.columns, pm.rows, limits, 'The DICOM header (Columns × Rows)');
  let frame: FrameSamples;
  if (!transferSyntax.encapsulated) {
    const value = dataSet.byteArray.subarray(pixel.dataOffset, pixel.dataOffset + pixel.length);
    frame = readNativeFrame(value, pm, { bigEndian: transferSyntax.bigEndian ?? false, vr: pixel.vr });
  } else {
    const { codec } = transferSyntax;
    if (!codec) throw unsupportedTransferSyntax(transferSyntax, 'no installed decoder handles it');
    if (!pixel.encapsulatedPixelData) {
      throw new VigilError('VIGIL_VALIDATION', `The DICOM pixel data is not encapsulated although ${transferSyntax.name} requires it`, {
        details: { reason: 'malformed' },
      });
    }
    frame = await decodeEncapsulatedFrame(readFirstEncapsulatedFrame(dataSet, pixel, pm.frames), pm, { ...transferSyntax, codec });
  }
  return {
    width: pm.columns,
    height: pm.rows,
    gray: frameToGrey(frame, pm),
    summary: {
      transferSyntaxUid: transferSyntax.uid,
      transferSyntaxName: transferSyntax.name,
      photometric: pm.photometric,
      modality: pm.modality,
      rows: pm.rows,
      columns: pm.columns,
      frames: pm.frames,
      bitsStored: pm.bitsStored,
    },
  };
}

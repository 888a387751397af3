import { data, type DcmjsDataset } from 'dcmjs';

export const EXPLICIT_LE = '1.2.840.10008.1.2.1';
export const SECONDARY_CAPTURE = '1.2.840.10008.5.1.4.1.1.7';
export const DX_FOR_PRESENTATION = '1.2.840.10008.5.1.4.1.1.1.1';

/** A small 8-bit MONOCHROME2 image module; tests override what they exercise. */
export function imageModule(width: number, height: number, pixels: Uint8Array | Uint16Array): Record<string, unknown> {
  const bits = pixels instanceof Uint16Array ? 16 : 8;
  return {
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: height,
    Columns: width,
    BitsAllocated: bits,
    BitsStored: bits,
    HighBit: bits - 1,
    PixelRepresentation: 0,
    PixelData: pixels.buffer.slice(pixels.byteOffset, pixels.byteOffset + pixels.byteLength),
    // The dictionary says 'OB or OW'; PS3.5 A.1 makes it OB for 8-bit samples and OW above.
    _vrMap: { PixelData: bits === 8 ? 'OB' : 'OW' },
  };
}

export function ramp(width: number, height: number): Uint8Array {
  const pixels = new Uint8Array(width * height);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 7) % 256;
  return pixels;
}

/**
 * A DICOM Part 10 file written by dcmjs from a naturalized dataset (keywords → values), plus raw
 * elements (e.g. private tags) that naturalized keywords cannot name, and a last edit of the raw
 * dataset for what sits inside sequences.
 */
export function makeDicom(
  fields: Record<string, unknown>,
  raw: DcmjsDataset = {},
  transferSyntax = EXPLICIT_LE,
  edit: (dict: DcmjsDataset) => void = () => {},
): Uint8Array {
  const meta: DcmjsDataset = {
    '00020001': { vr: 'OB', Value: [new Uint8Array([0, 1]).buffer] },
    '00020002': { vr: 'UI', Value: [String(fields.SOPClassUID ?? SECONDARY_CAPTURE)] },
    '00020003': { vr: 'UI', Value: [String(fields.SOPInstanceUID ?? '1.2.3.4')] },
    '00020010': { vr: 'UI', Value: [transferSyntax] },
    '00020012': { vr: 'UI', Value: ['1.2.3.4.5'] },
  };
  const dicom = new data.DicomDict(meta);
  dicom.dict = { ...data.DicomMetaDictionary.denaturalizeDataset(fields), ...raw };
  edit(dicom.dict);
  return new Uint8Array(dicom.write());
}

/** The dcmjs raw dataset of a Part 10 file, for inspecting what a test wrote or got back. */
export function readDicom(bytes: Uint8Array): { meta: DcmjsDataset; dict: DcmjsDataset } {
  return data.DicomMessage.readFile(new Uint8Array(bytes).buffer);
}

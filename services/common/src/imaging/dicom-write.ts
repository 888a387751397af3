import { deflateRawSync } from 'node:zlib';
import { data, type DcmjsDicomDict } from 'dcmjs';
import { VigilError } from '../errors/vigil-error';
import { startsCodestream } from './dicom-frame';
import { EXPLICIT_VR_LITTLE_ENDIAN } from './detect-type';
import { TRANSFER_SYNTAXES } from './dicom-transfer-syntax';

const DEFLATED = '1.2.840.10008.1.2.1.99';
// Values kept from the sender are written as received, even where their length breaks the VR
// (ACR-NEMA dates like '1997.04.24' in a DA): re-validating them is not de-identification's job.
const WRITE_OPTIONS = { allowInvalidVRLength: true, fragmentMultiframe: false };

/**
 * Writes a dcmjs dataset back to Part 10 bytes in its own transfer syntax. Two dcmjs 0.51 traps are
 * handled here: it writes a Deflated dataset uncompressed under the Deflated UID, and it writes each
 * entry of an encapsulated Pixel Data value as one frame with its own Basic Offset Table entry,
 * while it reads fragments, not frames, when the file had no offset table.
 */
export function writePart10(dicom: DcmjsDicomDict): Uint8Array {
  const syntax = String(dicom.meta['00020010']?.Value?.[0] ?? '');
  if (TRANSFER_SYNTAXES.get(syntax)?.encapsulated) regroupFrames(dicom);
  try {
    if (syntax !== DEFLATED) return new Uint8Array(dicom.write(WRITE_OPTIONS));
    const header = new Uint8Array(new data.DicomDict(dicom.meta).write(WRITE_OPTIONS));
    const plainMeta = { ...dicom.meta, '00020010': { vr: 'UI', Value: [EXPLICIT_VR_LITTLE_ENDIAN] } };
    const plainHeaderLength = new data.DicomDict(plainMeta).write(WRITE_OPTIONS).byteLength;
    const plain = new data.DicomDict(plainMeta);
    plain.dict = dicom.dict;
    const body = deflateRawSync(new Uint8Array(plain.write(WRITE_OPTIONS)).subarray(plainHeaderLength));
    return Buffer.concat([header, body]);
  } catch (err) {
    throw new VigilError('VIGIL_UNPROCESSABLE', `The de-identified DICOM could not be written: ${(err as Error).message}`, { cause: err });
  }
}

/** One ArrayBuffer per frame in the Pixel Data value, so that dcmjs writes a correct offset table. */
function regroupFrames(dicom: DcmjsDicomDict): void {
  const pixel = dicom.dict['7FE00010'];
  const fragments = (pixel?.Value ?? []) as ArrayBuffer[];
  const frames = Math.max(1, Number(dicom.dict['00280008']?.Value?.[0] ?? 1));
  if (!pixel || fragments.length <= frames) return;
  const groups: ArrayBuffer[][] = [];
  for (const fragment of fragments) {
    const startsFrame = frames === 1 ? groups.length === 0 : groups.length === 0 || startsCodestream(new Uint8Array(fragment));
    if (startsFrame) groups.push([fragment]);
    else groups[groups.length - 1]!.push(fragment);
  }
  if (groups.length !== frames) {
    throw new VigilError('VIGIL_UNPROCESSABLE', `The encapsulated pixel data has ${fragments.length} fragments whose frames cannot be told apart`, {
      details: { reason: 'ambiguous-fragments', fragments: fragments.length, frames },
    });
  }
  pixel.Value = groups.map((group) => {
    const frame = Buffer.concat(group.map((b) => new Uint8Array(b)));
    return frame.buffer.slice(frame.byteOffset, frame.byteOffset + frame.length); // small Buffers share a pool
  });
}

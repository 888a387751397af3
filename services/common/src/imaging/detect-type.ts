import { VigilError } from '../errors/vigil-error';

export type ImageFormat = 'png' | 'jpeg' | 'dicom';

export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
export const IMPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Formats people send by mistake, named in the refusal so that the sender knows what went wrong. */
const KNOWN_OTHERS: Array<[string, number[]]> = [
  ['GIF', [0x47, 0x49, 0x46, 0x38]],
  ['TIFF', [0x49, 0x49, 0x2a, 0x00]],
  ['TIFF', [0x4d, 0x4d, 0x00, 0x2a]],
  ['BMP', [0x42, 0x4d]],
  ['PDF', [0x25, 0x50, 0x44, 0x46]],
  ['ZIP', [0x50, 0x4b, 0x03, 0x04]],
  ['WebP or another RIFF file', [0x52, 0x49, 0x46, 0x46]],
];

// Explicit-VR value representations (PS3.5 Table 6.2-1), to tell explicit from implicit encoding.
const VRS = new Set('AE AS AT CS DA DS DT FD FL IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL UN UR US UT UV'.split(' '));
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT', 'SV', 'UV']);
/** Elements walked to accept a bare dataset: enough to rule out chance, cheap on any input. */
const BARE_ELEMENTS_TO_CHECK = 8;

const startsWith = (bytes: Uint8Array, signature: number[], at = 0): boolean =>
  bytes.length >= at + signature.length && signature.every((b, i) => bytes[at + i] === b);

/**
 * The image format, read from the bytes alone: a file name or a Content-Type header is whatever the
 * sender typed. DICOM is tested first because a Part 10 preamble (PS3.10 7.1) may legally hold
 * another format's signature (dual-personality DICOM/TIFF files do exactly that).
 */
export function detectImageType(bytes: Uint8Array): ImageFormat {
  if (hasPart10Prefix(bytes)) return 'dicom';
  if (startsWith(bytes, PNG_SIGNATURE)) return 'png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (bareDicomTransferSyntax(bytes) !== undefined) return 'dicom';
  const known = KNOWN_OTHERS.find(([, signature]) => startsWith(bytes, signature));
  throw new VigilError(
    'VIGIL_UNSUPPORTED_MEDIA_TYPE',
    known ? `${known[0]} images are not accepted: send PNG, JPEG or DICOM` : 'The bytes are not a PNG, JPEG or DICOM image',
    { details: { firstBytes: Buffer.from(bytes.subarray(0, 8)).toString('hex') } },
  );
}

/** 'DICM' after the 128-byte preamble (PS3.10 7.1). */
export function hasPart10Prefix(bytes: Uint8Array): boolean {
  return startsWith(bytes, [0x44, 0x49, 0x43, 0x4d], 128);
}

/**
 * For a dataset stored without preamble and file meta (older PACS exports, pydicom's
 * ExplVR_LitEndNoMeta): the little-endian transfer syntax it parses as, or undefined. Such a
 * dataset starts at group 0008 (no file meta, and groups 0000-0006 are not stored); the first
 * elements must then parse with ascending tags and in-bounds lengths.
 */
export function bareDicomTransferSyntax(bytes: Uint8Array): string | undefined {
  if (bytes.length < 8 || bytes[0] !== 0x08 || bytes[1] !== 0x00) return undefined;
  // An implicit length can spell a VR by chance (0x4541 reads 'AE'), so explicit is only a first guess.
  if (VRS.has(String.fromCharCode(bytes[4]!, bytes[5]!)) && walksAsDataset(bytes, true)) return EXPLICIT_VR_LITTLE_ENDIAN;
  return walksAsDataset(bytes, false) ? IMPLICIT_VR_LITTLE_ENDIAN : undefined;
}

function walksAsDataset(bytes: Uint8Array, explicit: boolean): boolean {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  let previousTag = -1;
  for (let n = 0; n < BARE_ELEMENTS_TO_CHECK && at < bytes.length; n++) {
    if (at + 8 > bytes.length) return false;
    const tag = view.getUint16(at, true) * 0x10000 + view.getUint16(at + 2, true);
    if (tag <= previousTag) return false;
    previousTag = tag;
    let length: number;
    let header: number;
    if (explicit) {
      const vr = String.fromCharCode(bytes[at + 4]!, bytes[at + 5]!);
      if (!VRS.has(vr)) return false;
      if (LONG_VRS.has(vr)) {
        if (at + 12 > bytes.length) return false;
        [length, header] = [view.getUint32(at + 8, true), 12];
      } else {
        [length, header] = [view.getUint16(at + 6, true), 8];
      }
    } else {
      [length, header] = [view.getUint32(at + 4, true), 8];
    }
    // An undefined-length sequence ends the cheap walk: what came before it was well-formed.
    if (length === 0xffffffff) return n > 0;
    at += header + length;
    if (at > bytes.length) return false;
  }
  return true;
}

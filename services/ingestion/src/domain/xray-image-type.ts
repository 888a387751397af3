import type { ImageMediaType } from './xray-ports';

// Signatures from the format specs; file names and declared types are not trusted.
// PNG (ISO/IEC 15948 §5.2): 89 50 4E 47 0D 0A 1A 0A.
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
// JPEG (ITU T.81 B.1.1.2): SOI FF D8, then the first marker FF xx.
const JPEG = Buffer.from([0xff, 0xd8, 0xff]);

/** The image type the bytes themselves declare, or null for anything that is not PNG or JPEG. */
export function imageMediaType(bytes: Uint8Array): ImageMediaType | null {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, PNG.length));
  if (head.length >= PNG.length && head.equals(PNG)) return 'image/png';
  if (head.length >= JPEG.length && head.subarray(0, JPEG.length).equals(JPEG)) return 'image/jpeg';
  return null;
}

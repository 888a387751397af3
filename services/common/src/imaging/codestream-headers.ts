/**
 * Image sizes read straight from codestream headers, so that the pixel budget is enforced before a
 * decoder allocates anything (PNG IHDR, JPEG SOFn, JPEG 2000 SIZ). Each reader returns undefined
 * when the header is missing or cut short; the caller turns that into a refusal with its context.
 */

export interface PngHeader { width: number; height: number; bitDepth: number; colorType: number }
export interface JpegFrameHeader {
  /** The SOF marker's second byte: 0xC0 baseline, 0xC1 extended, 0xC3 lossless, 0xF7 JPEG-LS. */
  marker: number;
  precision: number;
  width: number;
  height: number;
  components: number;
}
export interface J2kSize {
  width: number;
  height: number;
  components: number;
  precision: number;
  signed: boolean;
  /** Where the codestream (SOC marker) starts: 0, or past the boxes of a JP2 wrapper. */
  offset: number;
}

// SOFn markers (ITU-T T.81 Table B.1) plus SOF55 of JPEG-LS (ITU-T T.87); C4, C8 and CC are not frames.
const SOF_MARKERS = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf, 0xf7]);
// JPEG 2000 in DICOM should be a bare codestream (PS3.5 A.4.4), but some encoders wrap it in JP2 boxes.
const J2K_SEARCH_WINDOW = 4096;

const u16 = (b: Uint8Array, at: number): number => (b[at]! << 8) | b[at + 1]!;
const u32 = (b: Uint8Array, at: number): number => u16(b, at) * 0x10000 + u16(b, at + 2);

export function readPngHeader(bytes: Uint8Array): PngHeader | undefined {
  // Signature (8) + chunk length (4) + 'IHDR' (4) + width, height (4 each) + depth, colour type.
  if (bytes.length < 26 || String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') return undefined;
  return { width: u32(bytes, 16), height: u32(bytes, 20), bitDepth: bytes[24]!, colorType: bytes[25]! };
}

export function readJpegFrameHeader(bytes: Uint8Array): JpegFrameHeader | undefined {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1]!;
    if (marker === 0xff) { at += 1; continue; } // fill byte (T.81 B.1.1.2)
    if (marker === 0xd9 || marker === 0xda) return undefined; // EOI or SOS before any frame header
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) { at += 2; continue; } // no length field
    if (SOF_MARKERS.has(marker)) {
      if (at + 10 > bytes.length) return undefined;
      return { marker, precision: bytes[at + 4]!, height: u16(bytes, at + 5), width: u16(bytes, at + 7), components: bytes[at + 9]! };
    }
    at += 2 + u16(bytes, at + 2);
  }
  return undefined;
}

export function readJ2kSize(bytes: Uint8Array): J2kSize | undefined {
  const offset = findCodestreamStart(bytes);
  if (offset === undefined) return undefined;
  const siz = offset + 2; // SIZ must follow SOC (ITU-T T.800 A.5.1)
  if (siz + 43 > bytes.length) return undefined;
  const components = u16(bytes, siz + 38);
  const ssiz = bytes[siz + 40]!;
  return {
    width: u32(bytes, siz + 6) - u32(bytes, siz + 14),
    height: u32(bytes, siz + 10) - u32(bytes, siz + 18),
    components,
    precision: (ssiz & 0x7f) + 1,
    signed: (ssiz & 0x80) !== 0,
    offset,
  };
}

function findCodestreamStart(bytes: Uint8Array): number | undefined {
  const end = Math.min(bytes.length - 4, J2K_SEARCH_WINDOW);
  for (let at = 0; at <= end; at++) {
    if (bytes[at] === 0xff && bytes[at + 1] === 0x4f && bytes[at + 2] === 0xff && bytes[at + 3] === 0x51) return at;
  }
  return undefined;
}

import { VigilError } from '../errors/vigil-error';
import type { FrameSamples } from './dicom-frame';
import type { PixelModule } from './dicom-pixel-module';

const HEADER_BYTES = 64;

/**
 * DICOM RLE Lossless (PS3.5 Annex G): a 64-byte header of 16 little-endian uint32 (segment count,
 * then up to 15 offsets), then one PackBits segment per byte plane. A 16-bit sample has two
 * segments, most significant byte first; colour has one plane per component, so the result is planar.
 */
export function decodeRleFrame(frame: Uint8Array, pm: PixelModule): FrameSamples {
  if (frame.length < HEADER_BYTES) corrupt(`the frame is ${frame.length} bytes, shorter than its header`);
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const segmentCount = view.getUint32(0, true);
  const bytesPerSample = pm.bitsAllocated / 8;
  const expected = pm.samplesPerPixel * bytesPerSample;
  if (segmentCount !== expected) corrupt(`the frame has ${segmentCount} segments; ${expected} expected`);
  const pixels = pm.rows * pm.columns;
  const planes: Uint8Array[] = [];
  for (let s = 0; s < segmentCount; s++) {
    const start = view.getUint32(4 + 4 * s, true);
    const end = s + 1 < segmentCount ? view.getUint32(8 + 4 * s, true) : frame.length;
    if (start < HEADER_BYTES || end > frame.length || end < start) corrupt(`segment ${s + 1} lies outside the frame`);
    planes.push(unpackBits(frame.subarray(start, end), pixels, s + 1));
  }
  const samples = bytesPerSample === 1 ? new Uint8Array(pixels * pm.samplesPerPixel) : new Uint16Array(pixels * pm.samplesPerPixel);
  for (let c = 0; c < pm.samplesPerPixel; c++) {
    const offset = c * pixels;
    if (bytesPerSample === 1) {
      samples.set(planes[c]!, offset);
    } else {
      const [msb, lsb] = [planes[2 * c]!, planes[2 * c + 1]!];
      for (let i = 0; i < pixels; i++) samples[offset + i] = (msb[i]! << 8) | lsb[i]!;
    }
  }
  return {
    samples,
    components: pm.samplesPerPixel,
    planar: true,
    colour: pm.photometric.startsWith('YBR') ? 'ybr' : 'rgb',
    bitsStored: pm.bitsStored,
    highBit: pm.highBit,
    signed: pm.signed,
  };
}

/** PackBits (PS3.5 G.3.1): n in 0..127 copies n+1 literal bytes, -127..-1 repeats the next byte 1-n times. */
function unpackBits(segment: Uint8Array, length: number, index: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  let written = 0;
  while (at < segment.length && written < length) {
    const n = (segment[at++]! << 24) >> 24;
    if (n >= 0) {
      const count = Math.min(n + 1, length - written, segment.length - at);
      out.set(segment.subarray(at, at + count), written);
      at += n + 1;
      written += count;
    } else if (n !== -128) {
      if (at >= segment.length) break;
      const count = Math.min(1 - n, length - written);
      out.fill(segment[at++]!, written, written + count);
      written += count;
    }
  }
  // Encoders pad a segment to even length, so a longer run is fine; a shorter one has lost pixels.
  if (written < length) corrupt(`segment ${index} decodes to ${written} of ${length} bytes`);
  return out;
}

function corrupt(problem: string): never {
  throw new VigilError('VIGIL_VALIDATION', `The RLE pixel data is corrupt: ${problem}`, { details: { reason: 'corrupt-rle' } });
}

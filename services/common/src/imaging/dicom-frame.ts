import * as dicomParser from 'dicom-parser';
import type { DataSet, Element } from 'dicom-parser';
import { VigilError } from '../errors/vigil-error';
import type { PixelModule } from './dicom-pixel-module';

/** One decoded frame's samples, before they are mapped to grey. */
export interface FrameSamples {
  samples: Uint8Array | Uint16Array;
  components: 1 | 3;
  /** True when colour samples come as three planes rather than interleaved per pixel. */
  planar: boolean;
  /** How three components are to be read: RGB, full-range YCbCr, or native YBR_FULL_422 (Y Y Cb Cr per pixel pair). */
  colour: 'rgb' | 'ybr' | 'ybr-422';
  bitsStored: number;
  highBit: number;
  signed: boolean;
}

/**
 * The first frame of native (uncompressed) pixel data, as samples in the machine's byte order.
 * `value` is the Pixel Data element's value (or, for Encapsulated Uncompressed, one fragment).
 */
export function readNativeFrame(value: Uint8Array, pm: PixelModule, encoding: { bigEndian: boolean; vr?: string }): FrameSamples {
  const subsampled = pm.photometric === 'YBR_FULL_422';
  // PS3.3 C.7.6.3.1.2: native YBR_FULL_422 stores 4 samples for 2 pixels (Y1 Y2 Cb Cr).
  const samplesPerFrame = pm.rows * pm.columns * (subsampled ? 2 : pm.samplesPerPixel);
  const frameBytes = (samplesPerFrame * pm.bitsAllocated) / 8;
  if (value.length < frameBytes) {
    throw new VigilError(
      'VIGIL_VALIDATION',
      `The DICOM pixel data holds ${value.length} bytes; one ${pm.columns}×${pm.rows} frame of ${pm.samplesPerPixel}×${pm.bitsAllocated}-bit samples needs ${frameBytes}`,
      { details: { reason: 'truncated', pixelDataBytes: value.length, frameBytes } },
    );
  }
  const { bigEndian } = encoding;
  const raw = value.subarray(0, frameBytes);
  let samples: Uint8Array | Uint16Array;
  if (pm.bitsAllocated === 16) {
    const copy = Buffer.from(raw); // copied: the view may be unaligned, and big endian is swapped in place
    if (bigEndian) copy.swap16();
    samples = new Uint16Array(copy.buffer, copy.byteOffset, samplesPerFrame);
  } else if (bigEndian && encoding.vr === 'OW') {
    // PS3.5 A.2: 8-bit samples in an OW element of a big-endian dataset are byte-swapped in pairs.
    const copy = Buffer.alloc(frameBytes + (frameBytes % 2));
    copy.set(raw);
    samples = new Uint8Array(copy.swap16().buffer, copy.byteOffset, frameBytes);
  } else {
    samples = raw;
  }
  return {
    samples,
    components: pm.samplesPerPixel,
    planar: pm.planar,
    colour: subsampled ? 'ybr-422' : pm.photometric.startsWith('YBR') ? 'ybr' : 'rgb',
    bitsStored: pm.bitsStored,
    highBit: pm.highBit,
    signed: pm.signed,
  };
}

/**
 * The first frame's codestream from encapsulated pixel data (PS3.5 A.4). Without a Basic Offset
 * Table and with more fragments than frames, a frame ends where the next codestream begins (a JPEG
 * SOI or a JPEG 2000 SOC at the start of a fragment), which is how DCMTK fragments large frames.
 */
export function readFirstEncapsulatedFrame(ds: DataSet, pixel: Element, frames: number): Uint8Array {
  const fragments = pixel.fragments ?? [];
  if (fragments.length === 0) {
    throw new VigilError('VIGIL_VALIDATION', 'The encapsulated DICOM pixel data has no fragments', { details: { reason: 'no-fragments' } });
  }
  if (frames === 1) return dicomParser.readEncapsulatedPixelDataFromFragments(ds, pixel, 0, fragments.length);
  if (pixel.basicOffsetTable?.length) return dicomParser.readEncapsulatedImageFrame(ds, pixel, 0);
  if (fragments.length === frames) return dicomParser.readEncapsulatedPixelDataFromFragments(ds, pixel, 0, 1);
  let end = 1;
  while (end < fragments.length && !startsCodestream(ds.byteArray, fragments[end]!.position)) end++;
  return dicomParser.readEncapsulatedPixelDataFromFragments(ds, pixel, 0, end);
}

/** A JPEG SOI or JPEG 2000 SOC at `at`: where a new frame's codestream begins among fragments. */
export function startsCodestream(bytes: Uint8Array, at = 0): boolean {
  return bytes[at] === 0xff && (bytes[at + 1] === 0xd8 || bytes[at + 1] === 0x4f);
}

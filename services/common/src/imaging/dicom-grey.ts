import type { FrameSamples } from './dicom-frame';
import type { PixelModule } from './dicom-pixel-module';
import { windowToBytes } from './window-to-bytes';

/**
 * One decoded frame to 8-bit grey. Monochrome goes through Modality LUT (rescale), VOI window and,
 * for MONOCHROME1, inversion. Colour becomes luminance and is only scaled to 8 bits: PS3.3
 * C.11.2.1.1 applies the VOI transform to monochrome images only.
 */
export function frameToGrey(frame: FrameSamples, pm: PixelModule): Uint8Array {
  const pixels = pm.rows * pm.columns;
  const { bitsStored, highBit } = frame;
  if (frame.components === 1) {
    return windowToBytes(frame.samples.subarray(0, pixels), {
      bitsStored,
      highBit,
      signed: frame.signed,
      slope: pm.slope,
      intercept: pm.intercept,
      paddingValue: pm.paddingValue,
      window: pm.window,
      invert: pm.photometric === 'MONOCHROME1',
    });
  }
  const luma = luminance(frame, pixels);
  if (luma instanceof Uint8Array && bitsStored === 8 && highBit === 7) return luma;
  const full = 2 ** bitsStored;
  return windowToBytes(luma, { bitsStored, highBit, window: { kind: 'linear-exact', center: full / 2, width: full } });
}

/** Luma in the samples' own container: Y itself for YCbCr, Rec. 601 weights (the Y of YBR_FULL) for RGB. */
function luminance(frame: FrameSamples, pixels: number): Uint8Array | Uint16Array {
  const s = frame.samples;
  const out = s instanceof Uint16Array ? new Uint16Array(pixels) : new Uint8Array(pixels);
  if (frame.colour === 'ybr-422') {
    for (let i = 0; i < pixels; i++) out[i] = s[(i >> 1) * 4 + (i & 1)]!; // Y1 Y2 Cb Cr per pixel pair
    return out;
  }
  // Interleaved: R G B R G B ...; planar: all R, then all G, then all B (PS3.3 C.7.6.3.1.3).
  const [stride, step] = frame.planar ? [pixels, 1] : [1, 3];
  if (frame.colour === 'ybr') {
    for (let i = 0; i < pixels; i++) out[i] = s[i * step]!;
    return out;
  }
  for (let i = 0; i < pixels; i++) {
    const at = i * step;
    out[i] = Math.round(0.299 * s[at]! + 0.587 * s[at + stride]! + 0.114 * s[at + 2 * stride]!);
  }
  return out;
}

/**
 * Maps single-channel stored sample values to 8-bit display values through one lookup table:
 * stored value → signed value → rescale (modality LUT) → VOI window → optional inversion.
 * One table of 2^bitsStored entries (at most 65 536) turns a per-pixel float pipeline into one
 * array lookup per pixel.
 */

/** PS3.3 C.11.2.1.2 VOI LUT functions, or min/max of the image when no window is given. */
export type VoiWindow =
  | { kind: 'min-max' }
  | { kind: 'linear' | 'linear-exact' | 'sigmoid'; center: number; width: number };

export interface PixelMapping {
  /** Significant bits per sample; defaults to the container width (8 or 16). */
  bitsStored?: number;
  /** Bit position of the most significant stored bit (PS3.5 8.1.1); defaults to bitsStored - 1. */
  highBit?: number;
  /** Two's-complement samples (Pixel Representation 1). */
  signed?: boolean;
  slope?: number;
  intercept?: number;
  /** A stored value that marks padding outside the image (0028,0120), left out of min/max. */
  paddingValue?: number;
  window: VoiWindow;
  /** MONOCHROME1: the lowest value is displayed white. */
  invert?: boolean;
}

export function windowToBytes(samples: Uint8Array | Uint16Array, mapping: PixelMapping): Uint8Array {
  const container = samples instanceof Uint16Array ? 16 : 8;
  const bitsStored = Math.min(mapping.bitsStored ?? container, container);
  const shift = Math.max(0, (mapping.highBit ?? bitsStored - 1) + 1 - bitsStored);
  const size = 2 ** bitsStored;
  const mask = size - 1;
  const signedValue = (index: number): number => (mapping.signed && index >= size / 2 ? index - size : index);
  const slope = mapping.slope ?? 1;
  const intercept = mapping.intercept ?? 0;
  const window = mapping.window.kind === 'min-max' ? minMaxWindow(samples, mapping, shift, mask, signedValue, slope, intercept) : mapping.window;

  const lut = new Uint8Array(size);
  for (let index = 0; index < size; index++) {
    const y = applyWindow(slope * signedValue(index) + intercept, window);
    lut[index] = mapping.invert ? 255 - y : y;
  }
  const out = new Uint8Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = lut[(samples[i]! >> shift) & mask]!;
  return out;
}

type ExplicitWindow = Exclude<VoiWindow, { kind: 'min-max' }>;

function minMaxWindow(
  samples: Uint8Array | Uint16Array,
  mapping: PixelMapping,
  shift: number,
  mask: number,
  signedValue: (index: number) => number,
  slope: number,
  intercept: number,
): ExplicitWindow {
  const seen = new Uint8Array(mask + 1);
  for (let i = 0; i < samples.length; i++) seen[(samples[i]! >> shift) & mask] = 1;
  let low = Infinity;
  let high = -Infinity;
  for (let index = 0; index <= mask; index++) {
    if (!seen[index]) continue;
    const stored = signedValue(index);
    if (stored === mapping.paddingValue) continue;
    const value = slope * stored + intercept;
    if (value < low) low = value;
    if (value > high) high = value;
  }
  if (!Number.isFinite(low)) return { kind: 'linear-exact', center: 0, width: 1 };
  // A flat image keeps a width of 1 so that the mapping stays defined; it comes out uniform.
  return { kind: 'linear-exact', center: (low + high) / 2, width: Math.max(high - low, 1) };
}

function applyWindow(x: number, window: ExplicitWindow): number {
  const { center: c, width: w } = window;
  let y: number;
  if (window.kind === 'sigmoid') {
    y = 255 / (1 + Math.exp((-4 * (x - c)) / w));
  } else if (window.kind === 'linear-exact') {
    y = ((x - c) / w + 0.5) * 255;
  } else if (x <= c - 0.5 - (w - 1) / 2) {
    y = 0;
  } else if (x > c - 0.5 + (w - 1) / 2) {
    y = 255;
  } else {
    // PS3.3 C.11.2.1.2.1: LINEAR's -0.5 and (w - 1) come from integer-valued displays; w = 1 never gets here.
    y = ((x - (c - 0.5)) / (w - 1) + 0.5) * 255;
  }
  return Math.min(255, Math.max(0, Math.round(y)));
}

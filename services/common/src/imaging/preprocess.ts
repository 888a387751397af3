/**
 * The one preprocessing path from an 8-bit grayscale X-ray to the backbone's input tensor, shared
 * by training (embeddings for the heads) and serving (the same embeddings at request time): a head
 * trained on one resize and served on another quietly loses accuracy, so both sides call this.
 *
 * The spec is plain JSON so that a model version can record exactly what it was trained on.
 */
import sharp from 'sharp';
import { VigilError } from '../errors/vigil-error';

export interface PreprocessSpec {
  /** MobileNetV2 (nsfwjs weights) fed a grayscale image replicated into its 3 RGB channels. */
  kind: 'mobilenet-v2-gray';
  /** Output is size × size; the image is stretched to it (fit 'fill', aspect ratio not kept). */
  size: 224;
  channels: 3;
  layout: 'NHWC';
  /** value = pixel · scale + offset; nsfwjs's MobileNetV2 expects pixel / 255, i.e. [0, 1]. */
  scale: number;
  offset: number;
  /** sharp's 'linear' kernel: a triangle filter, widened when shrinking (so it also antialiases). */
  resize: 'bilinear-sharp';
  fit: 'fill';
}

export const XRAY_PREPROCESS: PreprocessSpec = Object.freeze({
  kind: 'mobilenet-v2-gray',
  size: 224,
  channels: 3,
  layout: 'NHWC',
  scale: 1 / 255,
  offset: 0,
  resize: 'bilinear-sharp',
  fit: 'fill',
});

async function resizeGray(gray: Uint8Array, width: number, height: number, size: number): Promise<Uint8Array> {
  // An image already at the target size skips sharp: it returns the same pixels (checked), without the native call.
  if (width === size && height === size) return gray;
  const { data, info } = await sharp(gray, { raw: { width, height, channels: 1 } })
    .resize(size, size, { fit: 'fill', kernel: 'linear' })
    // Without this sharp interprets one raw channel as b-w but writes sRGB: three interleaved channels.
    .toColourspace('b-w')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 1 || data.length !== size * size) {
    throw new VigilError('VIGIL_INTERNAL', `resize returned ${info.width}x${info.height}x${info.channels}, expected ${size}x${size}x1`);
  }
  return data;
}

/**
 * Resizes an 8-bit grayscale image (row-major, one byte per pixel) and returns the backbone input
 * for one image: Float32Array of size·size·3, NHWC, each gray value repeated in R, G and B.
 */
export async function preprocessGray(gray: Uint8Array, width: number, height: number, spec: PreprocessSpec): Promise<Float32Array> {
  if (spec.kind !== 'mobilenet-v2-gray' || spec.resize !== 'bilinear-sharp' || spec.fit !== 'fill' || spec.layout !== 'NHWC' || spec.channels !== 3) {
    throw new VigilError('VIGIL_UNPROCESSABLE', `unsupported preprocess spec ${JSON.stringify(spec)}`);
  }
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new VigilError('VIGIL_VALIDATION', `image dimensions must be positive integers, got ${width}x${height}`);
  }
  if (gray.length !== width * height) {
    throw new VigilError('VIGIL_VALIDATION', `grayscale image of ${width}x${height} needs ${width * height} bytes, got ${gray.length}`);
  }
  const resized = await resizeGray(gray, width, height, spec.size);
  const out = new Float32Array(resized.length * 3);
  for (let i = 0; i < resized.length; i++) {
    const v = resized[i] * spec.scale + spec.offset;
    out[3 * i] = v;
    out[3 * i + 1] = v;
    out[3 * i + 2] = v;
  }
  return out;
}

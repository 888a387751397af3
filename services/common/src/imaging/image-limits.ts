import { VigilError } from '../errors/vigil-error';

/** What one received image may cost: bytes on the wire and pixels once decoded. */
export interface ImageLimits {
  /** Largest accepted upload, in bytes. */
  maxBytes: number;
  /** Largest accepted width × height (one frame), checked from the header before anything is decoded. */
  maxPixels: number;
}

/**
 * The largest chest radiographs are uncompressed 16-bit frames from 43×43 cm DR detectors at
 * 100 µm (4300×4300 = 18.5 megapixels, 37 MB): both limits leave about 2× headroom over that.
 * A 40-megapixel 16-bit frame costs ~80 MB of decoder output plus 40 MB of 8-bit result.
 */
export const DEFAULT_IMAGE_LIMITS: ImageLimits = { maxBytes: 50 * 1024 * 1024, maxPixels: 40_000_000 };

/** Refuses empty uploads and uploads over `maxBytes` before anything reads them. */
export function assertWithinByteBudget(byteLength: number, limits: ImageLimits): void {
  if (byteLength === 0) throw new VigilError('VIGIL_VALIDATION', 'The image is empty (0 bytes)');
  if (byteLength > limits.maxBytes) {
    throw new VigilError('VIGIL_PAYLOAD_TOO_LARGE', `The image is ${byteLength} bytes; the limit is ${limits.maxBytes}`, {
      details: { bytes: byteLength, maxBytes: limits.maxBytes },
    });
  }
}

/**
 * Refuses a frame whose declared size is nonsense or over `maxPixels`. Called with the size a header
 * declares, before any decoder allocates: a 100-byte PNG can declare 100 000 × 100 000 pixels.
 */
export function assertWithinPixelBudget(width: number, height: number, limits: ImageLimits, source: string): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new VigilError('VIGIL_VALIDATION', `${source} declares an invalid image size ${width}×${height}`, {
      details: { width, height },
    });
  }
  if (width * height > limits.maxPixels) {
    throw new VigilError(
      'VIGIL_PAYLOAD_TOO_LARGE',
      `${source} declares ${width}×${height} = ${width * height} pixels; the limit is ${limits.maxPixels}`,
      { details: { width, height, maxPixels: limits.maxPixels } },
    );
  }
}

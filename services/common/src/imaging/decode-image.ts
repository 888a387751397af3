import { createHash } from 'node:crypto';
import { decodeDicom, type DicomSummary } from './dicom-decode';
import { detectImageType, type ImageFormat } from './detect-type';
import { assertWithinByteBudget, DEFAULT_IMAGE_LIMITS, type ImageLimits } from './image-limits';
import { decodeRaster } from './raster-decode';

export interface DecodedImage {
  format: ImageFormat;
  width: number;
  height: number;
  /** 8-bit grey, row-major, width × height bytes; for DICOM the first frame after rescale, window and MONOCHROME1 inversion. */
  gray: Uint8Array;
  /** SHA-256 (hex) of the bytes as received, before any decoding: what the audit trail refers to. */
  sha256: string;
  dicom?: DicomSummary;
}

/**
 * Received bytes to 8-bit grey pixels. The format comes from the bytes (detectImageType); sizes are
 * checked before decoding. Refusals are VigilErrors:
 * - VIGIL_PAYLOAD_TOO_LARGE (413): over maxBytes, or a header declares more than maxPixels;
 * - VIGIL_UNSUPPORTED_MEDIA_TYPE (415): not PNG/JPEG/DICOM, or a DICOM transfer syntax without a decoder (named);
 * - VIGIL_VALIDATION (400): truncated or corrupt bytes, or a DICOM file meta without its transfer syntax;
 * - VIGIL_UNPROCESSABLE (422): well-formed DICOM that holds no usable image (no pixel data, unsupported pixel module).
 */
export async function decodeImage(bytes: Uint8Array, limits: ImageLimits = DEFAULT_IMAGE_LIMITS): Promise<DecodedImage> {
  assertWithinByteBudget(bytes.length, limits);
  const format = detectImageType(bytes);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (format === 'dicom') {
    const { width, height, gray, summary } = await decodeDicom(bytes, limits);
    return { format, width, height, gray, sha256, dicom: summary };
  }
  const { width, height, gray } = await decodeRaster(bytes, format, limits);
  return { format, width, height, gray, sha256 };
}

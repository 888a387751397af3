import sharp from 'sharp';
import { VigilError } from '../errors/vigil-error';
import { readJpegFrameHeader, readPngHeader } from './codestream-headers';
import { assertWithinPixelBudget, type ImageLimits } from './image-limits';
import { windowToBytes } from './window-to-bytes';

export interface GrayImage { width: number; height: number; gray: Uint8Array }

/**
 * Decodes a PNG or JPEG to 8-bit grey with sharp. The size comes from the IHDR/SOF header and is
 * checked against the pixel budget before sharp sees the bytes; sharp's own limitInputPixels stays
 * on as a second guard (a JPEG may defer its height to a DNL marker).
 */
export async function decodeRaster(bytes: Uint8Array, format: 'png' | 'jpeg', limits: ImageLimits): Promise<GrayImage> {
  const header = format === 'png' ? readPngHeader(bytes) : readJpegFrameHeader(bytes);
  if (!header) {
    throw new VigilError('VIGIL_VALIDATION', `The ${format.toUpperCase()} has no readable ${format === 'png' ? 'IHDR' : 'frame (SOFn)'} header: truncated or corrupt`);
  }
  const label = format === 'png' ? 'The PNG header' : 'The JPEG frame header';
  assertWithinPixelBudget(header.width, header.height, limits, label);
  // 16-bit PNGs (PadChest and other archives) often hold 10-12 significant bits; cast straight to
  // 8 bits they come out nearly black, so they are read at 16 bits and stretched like DICOM without a window.
  const sixteenBit = format === 'png' && 'bitDepth' in header && header.bitDepth === 16;
  try {
    // failOn 'error' refuses truncated and corrupt data instead of returning a half-grey image;
    // autoOrient applies EXIF orientation, which phone photographs of films carry.
    const pipeline = sharp(bytes, { limitInputPixels: limits.maxPixels, failOn: 'error', sequentialRead: true }).autoOrient().removeAlpha();
    if (sixteenBit) {
      const { data, info } = await pipeline.toColourspace('grey16').raw({ depth: 'ushort' }).toBuffer({ resolveWithObject: true });
      const aligned = data.byteOffset % 2 === 0 ? data : Buffer.from(data); // a Uint16Array view needs an even offset
      const samples = new Uint16Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 2);
      return { width: info.width, height: info.height, gray: windowToBytes(samples, { window: { kind: 'min-max' } }) };
    }
    const { data, info } = await pipeline.greyscale().raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 1) throw new Error(`expected 1 channel, got ${info.channels}`);
    return { width: info.width, height: info.height, gray: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  } catch (err) {
    throw translateSharpError(err, format, limits);
  }
}

function translateSharpError(err: unknown, format: string, limits: ImageLimits): VigilError {
  const message = err instanceof Error ? err.message : String(err);
  if (/pixel limit/i.test(message)) {
    return new VigilError('VIGIL_PAYLOAD_TOO_LARGE', `The ${format.toUpperCase()} exceeds ${limits.maxPixels} pixels`, { cause: err });
  }
  return new VigilError('VIGIL_VALIDATION', `The ${format.toUpperCase()} could not be decoded: ${message}`, { cause: err });
}

import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { decodeImage, DEFAULT_IMAGE_LIMITS, type ImageLimits } from '../../../src';
import { imageModule, makeDicom, ramp } from './make-dicom';

const SMALL: ImageLimits = { maxBytes: 1_000_000, maxPixels: 1_000_000 };

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, body: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])));
  return Buffer.concat([head, body, crc]);
}

/** A 60-byte PNG whose IHDR claims width × height 8-bit grey pixels: a decompression bomb's header. */
function pngClaiming(width: number, height: number): Uint8Array {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth; colour type 0 (grey), deflate, no filter, no interlace
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, pngChunk('IHDR', ihdr), pngChunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00])), pngChunk('IEND', Buffer.alloc(0))]);
}

const greyPng = (pixels: Uint8Array, width: number, height: number) => sharp(pixels, { raw: { width, height, channels: 1 } }).png().toBuffer();

describe('decodeImage on PNG and JPEG', () => {
  it('returns the exact grey pixels of an 8-bit grey PNG and the SHA-256 of the bytes received', async () => {
    const pixels = ramp(37, 23);
    const png = await greyPng(pixels, 37, 23);
    const image = await decodeImage(png, SMALL);
    expect(image).toMatchObject({ format: 'png', width: 37, height: 23, sha256: createHash('sha256').update(png).digest('hex') });
    expect(Buffer.from(image.gray).equals(Buffer.from(pixels))).toBe(true);
    expect(image.dicom).toBeUndefined();
  });

  it('turns colour into one luminance channel, which for grey-valued RGB is the grey value itself', async () => {
    const rgb = await sharp({ create: { width: 8, height: 4, channels: 4, background: { r: 100, g: 100, b: 100, alpha: 1 } } }).png().toBuffer();
    const image = await decodeImage(rgb, SMALL);
    expect(image.gray).toHaveLength(32);
    expect([...new Set(image.gray)]).toEqual([100]);
  });

  it('stretches a 16-bit PNG holding 12-bit values to the full 8-bit range instead of returning black', async () => {
    const values = new Uint16Array(64 * 16).map((_, i) => 1000 + (i % 64) * 40); // 1000..3520 of 65535
    const png = await sharp(values, { raw: { width: 64, height: 16, channels: 1 } }).toColourspace('grey16').png().toBuffer();
    expect(png[24]).toBe(16); // IHDR bit depth
    const image = await decodeImage(png, SMALL);
    expect(Math.min(...image.gray)).toBe(0);
    expect(Math.max(...image.gray)).toBe(255);
  });

  it('applies EXIF orientation, so a photographed film comes out upright', async () => {
    const jpeg = await sharp(ramp(40, 20), { raw: { width: 40, height: 20, channels: 1 } }).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    expect(await decodeImage(jpeg, SMALL)).toMatchObject({ format: 'jpeg', width: 20, height: 40 });
  });

  it('refuses a PNG whose header declares 100 000 × 100 000 pixels in milliseconds, without decoding it', async () => {
    const bomb = pngClaiming(100_000, 100_000);
    const started = performance.now();
    await expect(decodeImage(bomb, DEFAULT_IMAGE_LIMITS)).rejects.toMatchObject({
      code: 'VIGIL_PAYLOAD_TOO_LARGE',
      status: 413,
      details: { width: 100_000, height: 100_000, maxPixels: DEFAULT_IMAGE_LIMITS.maxPixels },
    });
    expect(performance.now() - started).toBeLessThan(100);
    expect(bomb.length).toBeLessThan(100);
  });

  it('refuses a JPEG whose frame header declares more pixels than the limit', async () => {
    const sof = [0xff, 0xc0, 0x00, 0x0b, 0x08, 0xfd, 0xe8, 0xfd, 0xe8, 0x01, 0x01, 0x11, 0x00]; // 65000 × 65000, 1 component
    const jpeg = new Uint8Array([0xff, 0xd8, ...sof, 0xff, 0xd9]);
    await expect(decodeImage(jpeg, SMALL)).rejects.toMatchObject({ code: 'VIGIL_PAYLOAD_TOO_LARGE' });
  });

  it('refuses a DICOM whose Rows × Columns exceed the limit before reading its pixel data', async () => {
    const dicom = makeDicom({ SOPInstanceUID: '1.2.3', ...imageModule(4, 4, ramp(4, 4)), Rows: 60_000, Columns: 60_000 });
    await expect(decodeImage(dicom, SMALL)).rejects.toMatchObject({ code: 'VIGIL_PAYLOAD_TOO_LARGE', message: expect.stringMatching(/Columns × Rows/) });
  });

  it('refuses uploads over maxBytes and empty uploads before looking at them', async () => {
    await expect(decodeImage(new Uint8Array(SMALL.maxBytes + 1), SMALL)).rejects.toMatchObject({ code: 'VIGIL_PAYLOAD_TOO_LARGE' });
    await expect(decodeImage(new Uint8Array(0), SMALL)).rejects.toMatchObject({ code: 'VIGIL_VALIDATION' });
  });

  it('refuses truncated PNG and JPEG files as invalid (400) rather than returning part of an image', async () => {
    const png = await greyPng(ramp(256, 256), 256, 256);
    const jpeg = await sharp(ramp(256, 256), { raw: { width: 256, height: 256, channels: 1 } }).jpeg().toBuffer();
    for (const bytes of [png.subarray(0, png.length / 2), jpeg.subarray(0, jpeg.length / 2), png.subarray(0, 20)]) {
      await expect(decodeImage(bytes, SMALL)).rejects.toMatchObject({ code: 'VIGIL_VALIDATION', status: 400 });
    }
  });

  it('refuses other formats with 415 and names the ones people send by mistake', async () => {
    await expect(decodeImage(Buffer.from('GIF89a........'), SMALL)).rejects.toMatchObject({ code: 'VIGIL_UNSUPPORTED_MEDIA_TYPE', message: expect.stringMatching(/GIF/) });
    await expect(decodeImage(Buffer.from('just some text, not an image'), SMALL)).rejects.toMatchObject({ code: 'VIGIL_UNSUPPORTED_MEDIA_TYPE', status: 415 });
  });
});

import { preprocessGray, XRAY_PREPROCESS, type PreprocessSpec } from '../../src/imaging';

const SIZE = 224 * 224;
// Spreading 150k values into Math.min overflows the stack.
const range = (a: Float32Array) => a.reduce(([lo, hi], v) => [Math.min(lo, v), Math.max(hi, v)], [Infinity, -Infinity]);

function gradient(width: number, height: number): Uint8Array {
  const gray = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) gray[y * width + x] = Math.round((255 * x) / (width - 1));
  return gray;
}

describe('preprocessGray with XRAY_PREPROCESS', () => {
  it('is plain JSON that survives a round trip, as model versions store it', () => {
    expect(JSON.parse(JSON.stringify(XRAY_PREPROCESS))).toEqual(XRAY_PREPROCESS);
    expect(XRAY_PREPROCESS).toMatchObject({ kind: 'mobilenet-v2-gray', size: 224, channels: 3, scale: 1 / 255, offset: 0 });
  });

  it('returns 224x224x3 NHWC floats in [0, 1] with the gray value in all three channels', async () => {
    const out = await preprocessGray(gradient(224, 224), 224, 224, XRAY_PREPROCESS);
    expect(out).toBeInstanceOf(Float32Array);
    expect(out.length).toBe(SIZE * 3);
    expect(range(out)).toEqual([0, 1]);
    let unequal = 0; // counted rather than asserted per pixel: 50k expect() calls take seconds
    for (let i = 0; i < SIZE; i++) if (out[3 * i + 1] !== out[3 * i] || out[3 * i + 2] !== out[3 * i]) unequal++;
    expect(unequal).toBe(0);
    expect(out[3 * 223]).toBe(1); // last pixel of the first row: x = 223 is white
  });

  it('maps pixel values linearly by scale and offset', async () => {
    const out = await preprocessGray(new Uint8Array(SIZE).fill(51), 224, 224, XRAY_PREPROCESS);
    expect(new Set(out)).toEqual(new Set([Math.fround(51 / 255)]));
  });

  it('resizes other sizes to 224x224 by stretching, keeping a flat image flat', async () => {
    const flat = await preprocessGray(new Uint8Array(640 * 480).fill(128), 640, 480, XRAY_PREPROCESS);
    expect(flat.length).toBe(SIZE * 3);
    expect(new Set(flat)).toEqual(new Set([Math.fround(128 / 255)]));

    // A left-to-right ramp stays a ramp in x and constant in y after resizing down and up.
    for (const [w, h] of [[1000, 300], [100, 150]]) {
      const out = await preprocessGray(gradient(w, h), w, h, XRAY_PREPROCESS);
      const row = (y: number) => Array.from({ length: 224 }, (_, x) => out[3 * (y * 224 + x)]);
      expect(row(0)).toEqual(row(223));
      expect(row(100)[0]).toBeLessThan(0.05);
      expect(row(100)[223]).toBeGreaterThan(0.95);
      const [lo, hi] = range(out);
      expect(lo).toBeGreaterThanOrEqual(0);
      expect(hi).toBeLessThanOrEqual(1);
    }
  });

  it('rejects pixel buffers that do not match the stated dimensions', async () => {
    await expect(preprocessGray(new Uint8Array(10), 224, 224, XRAY_PREPROCESS)).rejects.toMatchObject({ code: 'VIGIL_VALIDATION' });
    await expect(preprocessGray(new Uint8Array(0), 0, 0, XRAY_PREPROCESS)).rejects.toMatchObject({ code: 'VIGIL_VALIDATION' });
  });

  it('rejects a spec it does not implement rather than guessing', async () => {
    const spec = { ...XRAY_PREPROCESS, resize: 'bicubic' } as unknown as PreprocessSpec;
    await expect(preprocessGray(new Uint8Array(SIZE), 224, 224, spec)).rejects.toMatchObject({ code: 'VIGIL_UNPROCESSABLE' });
  });
});

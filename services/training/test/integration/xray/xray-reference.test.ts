import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { imageStats, psiAgainst } from '@vigil/common';
import { evenSample, xrayReferences } from '../../../src/adapters/worker/pipelines/xray-reference';
import type { Embeddings, LinearHead } from '../../../src/domain/xray/linear-head';

/** A grey PNG whose pixels alternate between two levels: mean and spread known in advance. */
async function png(low: number, high: number, width: number, height: number): Promise<Uint8Array> {
  const pixels = Buffer.alloc(width * height);
  for (let i = 0; i < pixels.length; i++) pixels[i] = i % 2 ? high : low;
  return new Uint8Array(await sharp(pixels, { raw: { width, height, channels: 1 } }).png().toBuffer());
}

describe('the drift reference of an X-ray version', () => {
  test('image statistics decoded as inference decodes them, and the head’s probabilities, over its training images only', async () => {
    // 30 images: brightness rising with the index; sizes 64 × 48 and 80 × 60.
    const bytes = await Promise.all(Array.from({ length: 30 }, (_, i) => png(20 + i, 120 + 3 * i, i % 2 ? 64 : 80, i % 2 ? 48 : 60)));
    const images = bytes.map((b) => ({ sha256: createHash('sha256').update(b).digest('hex') }));
    const reads: number[] = [];
    const read = async (i: number) => (reads.push(i), bytes[i]);
    // A 1-d "embedding" equal to the index; the head's logit is (i - 15) / 5.
    const x: Embeddings = { data: Float32Array.from(images, (_, i) => i), n: 30, d: 1 };
    const head: LinearHead = { kind: 'linear-head', mean: [15], scale: [5], weights: [1], bias: 0 };
    const even = images.filter((_, i) => i % 2 === 0).map((im) => im.sha256);
    const firstTen = images.slice(0, 10).map((im) => im.sha256);

    const [a, b] = await xrayReferences(images, read, x, [{ head, train: even }, { head, train: firstTen }]);
    expect(a.features.map((f) => f.name)).toEqual(['meanIntensity', 'stdIntensity', 'width', 'height']);
    expect(a.n).toBe(15);
    expect(b.n).toBe(10);
    // Images of both sets were decoded once.
    expect(new Set(reads).size).toBe(reads.length);
    expect(reads.length).toBe(new Set([...even, ...firstTen]).size);

    // The training images' own statistics sit in the reference exactly as inference will bin them.
    const trainStats = await Promise.all(images.filter((_, i) => i % 2 === 0).map(async (_, k) => {
      const i = 2 * k;
      const { data, info } = await sharp(Buffer.from(bytes[i])).raw().toBuffer({ resolveWithObject: true });
      return imageStats(new Uint8Array(data), info.width, info.height);
    }));
    const mean = a.features[0];
    expect(psiAgainst(mean, trainStats.map((s) => s.meanIntensity))).toBeCloseTo(0, 10);
    expect(psiAgainst(a.features[2], trainStats.map((s) => s.width))).toBeCloseTo(0, 10);
    // Scores: sigmoid((i - 15) / 5) of the even images; the second head's first ten are all below 0.5.
    expect(a.score.edges.every((e) => e > 0 && e < 1)).toBe(true);
    expect(Math.max(...b.score.edges)).toBeLessThan(0.5);
    // An image brighter than any training image lands past the last edge: PSI sees it.
    expect(psiAgainst(mean, Array(15).fill(250))).toBeGreaterThan(1);
  });

  test('a large training set is sampled evenly, first image included', () => {
    expect(evenSample([1, 2, 3], 5)).toEqual([1, 2, 3]);
    expect(evenSample(Array.from({ length: 10 }, (_, i) => i), 4)).toEqual([0, 2, 5, 7]);
  });
});

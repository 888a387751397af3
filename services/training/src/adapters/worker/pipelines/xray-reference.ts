import { decodeImage, DEFAULT_IMAGE_LIMITS, IMAGE_STAT_FEATURES, imageStats, numericReference, type ImageStats, type ReferenceProfile } from '@vigil/common';
import { scoreHead, type Embeddings, type LinearHead } from '../../../domain/xray/linear-head';
import { scoreMlpHead, type MlpHead } from '../../../domain/xray/mlp-head';

/**
 * Images whose statistics make a reference. Deciles of 2,000 values move by well under a bin
 * between samples, and decoding costs ~10 ms an image (the embedding cache lets training skip
 * decoding altogether), so a large dataset is sampled, evenly over its training images.
 */
export const REFERENCE_MAX_IMAGES = 2_000;

export interface HeadTrainingSet {
  head: LinearHead | MlpHead;
  /** sha256 of the head's training images. */
  train: readonly string[];
}

const scoresOf = (head: LinearHead | MlpHead, x: Embeddings, rows: number[]) =>
  head.kind === 'mlp-head' ? scoreMlpHead(head, x, rows) : scoreHead(head, x, rows);

/** Every k-th element so that at most `max` remain, first and spread over the whole list. */
export function evenSample<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max) return [...items];
  return Array.from({ length: max }, (_, i) => items[Math.floor((i * items.length) / max)]);
}

/**
 * The drift reference of an image model version: the distribution of the image statistics that
 * inference records with every X-ray (input.stats: decoded exactly as inference decodes, before
 * preprocessing) and of the head's probability, both over the head's training images. Monitoring
 * compares live predictions with it (PSI). `read(i)` returns the bytes of images[i]; images
 * shared by several heads are decoded once.
 */
export async function xrayReferences(
  images: readonly { sha256: string }[],
  read: (i: number) => Promise<Uint8Array>,
  x: Embeddings,
  heads: readonly HeadTrainingSet[],
): Promise<ReferenceProfile[]> {
  const index = new Map(images.map((im, i) => [im.sha256, i]));
  const rowsOf = (hashes: readonly string[]) => hashes.map((h) => index.get(h)).filter((i): i is number => i !== undefined);
  const stats = new Map<number, ImageStats>();
  const statsOf = async (i: number) => {
    let s = stats.get(i);
    if (!s) {
      const decoded = await decodeImage(await read(i), DEFAULT_IMAGE_LIMITS);
      stats.set(i, (s = imageStats(decoded.gray, decoded.width, decoded.height)));
    }
    return s;
  };
  const profiles: ReferenceProfile[] = [];
  for (const { head, train } of heads) {
    const rows = rowsOf(train);
    const sampled: ImageStats[] = [];
    for (const i of evenSample(rows, REFERENCE_MAX_IMAGES)) sampled.push(await statsOf(i));
    profiles.push({
      n: rows.length,
      features: IMAGE_STAT_FEATURES.map((f) => numericReference(f, sampled.map((s) => s[f]))),
      score: numericReference('score', Array.from(scoresOf(head, x, rows))),
    });
  }
  return profiles;
}

/**
 * Simple statistics of a decoded 8-bit grayscale image, recorded with every X-ray prediction and,
 * at training time, as the model's reference: monitoring watches them for drift (a new scanner,
 * a changed window/level, an inverted MONOCHROME1 would all move them).
 */
export interface ImageStats {
  meanIntensity: number;
  stdIntensity: number;
  width: number;
  height: number;
}

export const IMAGE_STAT_FEATURES = ['meanIntensity', 'stdIntensity', 'width', 'height'] as const;

export function imageStats(gray: Uint8Array, width: number, height: number): ImageStats {
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < gray.length; i++) {
    sum += gray[i];
    sq += gray[i] * gray[i];
  }
  const n = Math.max(gray.length, 1);
  const mean = sum / n;
  return { meanIntensity: mean, stdIntensity: Math.sqrt(Math.max(sq / n - mean * mean, 0)), width, height };
}

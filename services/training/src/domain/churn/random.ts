/**
 * Seeded randomness for training. Math.random is not seedable, and a training run must be
 * reproducible from (data, seed) alone, so every random choice goes through one of these.
 */

// Bound once: under jest's vm sandbox every lookup of the global `Math` costs ~40x, and these run in hot loops.
const { floor, imul } = Math;

export type Rng = () => number;

/** mulberry32: a tiny 32-bit PRNG, plenty for shuffles and subsampling. Returns [0, 1). */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher-Yates, in place. */
export function shuffleInPlace<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = floor(rng() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/** Derives an independent stream per purpose, so adding a random draw in one step leaves others unchanged. */
export function deriveSeed(seed: number, purpose: number): number {
  return mulberry32((seed ^ imul(purpose + 1, 0x9e3779b1)) >>> 0)() * 4294967296;
}

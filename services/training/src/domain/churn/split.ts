import { mulberry32, shuffleInPlace } from './random';

export interface IndexSplit {
  /** Ascending row indices. */
  train: number[];
  /** Ascending row indices. */
  test: number[];
}

/**
 * Stratified split of `indices` by a binary label: each class contributes round(n_c * testFraction)
 * rows to `test`, so both parts keep the class ratio (to within one row per class).
 * Deterministic for a given seed and input order.
 */
export function stratifiedSplit(
  indices: readonly number[],
  labels: ArrayLike<number>,
  testFraction: number,
  seed: number,
): IndexSplit {
  if (!(testFraction > 0 && testFraction < 1)) throw new RangeError('testFraction must be in (0, 1)');
  const rng = mulberry32(seed);
  const train: number[] = [];
  const test: number[] = [];
  for (const cls of [0, 1]) {
    const members = shuffleInPlace(indices.filter((i) => labels[i] === cls), rng);
    const nTest = Math.round(members.length * testFraction);
    test.push(...members.slice(0, nTest));
    train.push(...members.slice(nTest));
  }
  const ascending = (a: number, b: number) => a - b;
  return { train: train.sort(ascending), test: test.sort(ascending) };
}

import { mulberry32, stratifiedSplit } from '../../../src/domain/churn';

function labels(n: number, positiveRate: number, seed: number): Float64Array {
  const rng = mulberry32(seed);
  return Float64Array.from({ length: n }, () => (rng() < positiveRate ? 1 : 0));
}

describe('stratifiedSplit', () => {
  const y = labels(5634, 0.265, 11);
  const all = Array.from({ length: y.length }, (_, i) => i);
  const rate = (idx: number[]) => idx.reduce((s, i) => s + y[i], 0) / idx.length;

  it('keeps the class ratio in both parts', () => {
    const { train, test } = stratifiedSplit(all, y, 0.2, 42);
    expect(test.length).toBeCloseTo(0.2 * y.length, -1);
    expect(Math.abs(rate(train) - rate(all))).toBeLessThan(0.001);
    expect(Math.abs(rate(test) - rate(all))).toBeLessThan(0.001);
  });

  it('partitions the input: disjoint, complete, ascending', () => {
    const { train, test } = stratifiedSplit(all, y, 0.2, 42);
    const seen = new Set([...train, ...test]);
    expect(seen.size).toBe(all.length);
    expect(train.length + test.length).toBe(all.length);
    expect([...train].sort((a, b) => a - b)).toEqual(train);
  });

  it('is deterministic by seed and changes with it', () => {
    expect(stratifiedSplit(all, y, 0.2, 42)).toEqual(stratifiedSplit(all, y, 0.2, 42));
    expect(stratifiedSplit(all, y, 0.2, 43).test).not.toEqual(stratifiedSplit(all, y, 0.2, 42).test);
  });

  it('splits a subset of indices (the validation split of the training rows)', () => {
    const outer = stratifiedSplit(all, y, 0.2, 1);
    const inner = stratifiedSplit(outer.train, y, 0.25, 2);
    expect(new Set([...inner.train, ...inner.test])).toEqual(new Set(outer.train));
    expect(inner.test.some((i) => outer.test.includes(i))).toBe(false);
  });

  it('rejects a fraction outside (0, 1)', () => {
    expect(() => stratifiedSplit(all, y, 1, 1)).toThrow(RangeError);
  });
});

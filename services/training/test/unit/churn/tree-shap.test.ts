import {
  addTreeShap,
  explainChurn,
  predictTree,
  treeExpectedValue,
  type TreeNode,
} from '@vigil/common';
import { mulberry32 } from '../../../src/domain/churn';
import { syntheticGbdtSpec, syntheticRows } from './fixtures';

const leaf = (value: number, cover: number): TreeNode => ({ feature: -1, threshold: 0, left: -1, right: -1, value, cover });
const split = (feature: number, threshold: number, left: number, right: number, cover: number): TreeNode => ({
  feature,
  threshold,
  left,
  right,
  value: 0,
  cover,
});

/**
 * Reference Shapley values by enumeration: v(S) follows x for players in S and averages the other
 * splits by cover (the path-dependent value function TreeSHAP computes in polynomial time).
 */
function bruteForceShap(tree: TreeNode[], x: number[], groupOf: number[], players: number): number[] {
  const value = (node: number, inS: (g: number) => boolean): number => {
    const n = tree[node];
    if (n.feature < 0) return n.value;
    if (inS(groupOf[n.feature])) return value(Math.fround(x[n.feature]) <= n.threshold ? n.left : n.right, inS);
    return (tree[n.left].cover * value(n.left, inS) + tree[n.right].cover * value(n.right, inS)) / n.cover;
  };
  const factorial = (k: number): number => (k <= 1 ? 1 : k * factorial(k - 1));
  const phi = new Array<number>(players).fill(0);
  for (let i = 0; i < players; i++) {
    for (let mask = 0; mask < 1 << players; mask++) {
      if (mask & (1 << i)) continue;
      const size = [...Array(players).keys()].filter((j) => mask & (1 << j)).length;
      const weight = (factorial(size) * factorial(players - size - 1)) / factorial(players);
      const withI = value(0, (g) => (mask | (1 << i)) & (1 << g) ? true : false);
      const without = value(0, (g) => (mask & (1 << g) ? true : false));
      phi[i] += weight * (withI - without);
    }
  }
  return phi;
}

describe('TreeSHAP', () => {
  it('gives a stump its hand-computed values', () => {
    // Left (x0 <= 0.5): value 1, 3 samples; right: value -1, 1 sample. E[f] = (3 - 1) / 4 = 0.5.
    const tree = [split(0, 0.5, 1, 2, 4), leaf(1, 3), leaf(-1, 1)];
    const phi = new Float64Array(2);
    addTreeShap(tree, [0, 7], [0, 1], phi);
    expect(treeExpectedValue(tree)).toBeCloseTo(0.5, 15);
    expect(phi[0]).toBeCloseTo(0.5, 15);
    expect(phi[1]).toBe(0);
    const right = new Float64Array(2);
    addTreeShap(tree, [1, 7], [0, 1], right);
    expect(right[0]).toBeCloseTo(-1.5, 15);
  });

  it('splits a depth-2 interaction by hand: f = 1 when both x0 and x1 are high', () => {
    // Four equally covered leaves; f(x) = 1 only when x0 > 0.5 and x1 > 0.5. E[f] = 1/4.
    const tree = [
      split(0, 0.5, 1, 2, 4),
      split(1, 0.5, 3, 4, 2),
      split(1, 0.5, 5, 6, 2),
      leaf(0, 1),
      leaf(0, 1),
      leaf(0, 1),
      leaf(1, 1),
    ];
    const phi = new Float64Array(2);
    addTreeShap(tree, [1, 1], [0, 1], phi);
    // Symmetric players share f(x) - E[f] = 3/4 equally.
    expect(phi[0]).toBeCloseTo(0.375, 15);
    expect(phi[1]).toBeCloseTo(0.375, 15);
  });

  it('matches brute-force Shapley values on random trees, with repeated and grouped features', () => {
    const rng = mulberry32(7);
    for (let trial = 0; trial < 40; trial++) {
      // A random complete tree of depth 3 over 4 columns; columns 2 and 3 form one player (one-hot pair).
      const groupOf = [0, 1, 2, 2];
      const tree: TreeNode[] = [];
      const grow = (depth: number, cover: number): number => {
        const index = tree.length;
        if (depth === 3) {
          tree.push(leaf(rng() * 2 - 1, cover));
          return index;
        }
        tree.push(split(Math.floor(rng() * 4), Math.fround(rng()), -1, -1, cover));
        const leftCover = cover * (0.1 + 0.8 * rng()); // covers stay positive
        tree[index].left = grow(depth + 1, leftCover);
        tree[index].right = grow(depth + 1, cover - leftCover);
        return index;
      };
      grow(0, 100);
      const x = [rng(), rng(), rng(), rng()];
      const phi = new Float64Array(3);
      addTreeShap(tree, x, groupOf, phi);
      const reference = bruteForceShap(tree, x, groupOf, 3);
      reference.forEach((r, i) => expect(phi[i]).toBeCloseTo(r, 12));
      const total = phi.reduce((a, b) => a + b, 0);
      expect(total).toBeCloseTo(predictTree(tree, x) - treeExpectedValue(tree), 12);
    }
  });

  it('is additive for a whole gbdt spec: sum(contributions) + expected = logit', () => {
    const spec = syntheticGbdtSpec();
    for (const row of syntheticRows(50, 3)) {
      const e = explainChurn(spec, row);
      const total = e.contributions.reduce((s, c) => s + c.contribution, e.expectedLogit);
      expect(Math.abs(total - e.logit)).toBeLessThan(1e-9);
    }
  });
});

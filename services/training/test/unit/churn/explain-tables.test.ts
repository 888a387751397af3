/**
 * explainChurn explains gbdt specs from per-spec lookup tables (compileEnsemble in tree-shap.ts).
 * Here they are held to the plain per-tree recursion, bit for bit, on every tree shape the tables
 * treat specially: lone leaves, shallow leaves padded down to the tree's depth, raw features split
 * on twice along a path (one-hot columns of one categorical), and trees too deep to tabulate.
 */
import {
  encodeRow,
  encodedColumnFeature,
  explain,
  explainChurn,
  type ChurnModelSpec,
  type ChurnRow,
  type GbdtChurnModel,
  type TreeNode,
} from '@vigil/common';
import { mulberry32 } from '../../../src/domain/churn';
import { recursiveExplanation, syntheticGbdtSpec, syntheticRows } from './fixtures';



/**
 * Random trees over a few raw features (so paths repeat them), of every depth up to maxDepth in
 * turn, with leaves at every depth, and thresholds taken from `rows` so that rows go both ways and
 * some sit exactly on a float32 threshold.
 */
function randomSpec(seed: number, trees: number, maxDepth: number, rows: ChurnRow[]): GbdtChurnModel {
  const base = syntheticGbdtSpec() as GbdtChurnModel;
  const rng = mulberry32(seed);
  const groupOf = encodedColumnFeature(base.encoding);
  const wanted = ['tenure', 'Contract', 'InternetService', 'MonthlyCharges'];
  const columns = [...groupOf.keys()].filter((j) => wanted.includes(base.encoding.features[groupOf[j]].name));
  const xs = rows.map((r) => encodeRow(base.encoding, r));
  const grow = (tree: TreeNode[], depth: number, limit: number, cover: number): number => {
    const index = tree.length;
    if (depth >= limit || (depth > 0 && rng() < 0.2)) {
      tree.push({ feature: -1, threshold: 0, left: -1, right: -1, value: rng() * 2 - 1, cover });
      return index;
    }
    const feature = columns[Math.floor(rng() * columns.length)];
    const threshold = Math.fround(xs[Math.floor(rng() * xs.length)][feature]);
    tree.push({ feature, threshold, left: -1, right: -1, value: 0, cover });
    const leftCover = cover * (0.1 + 0.8 * rng());
    tree[index].left = grow(tree, depth + 1, limit, leftCover);
    tree[index].right = grow(tree, depth + 1, limit, cover - leftCover);
    return index;
  };
  const treeList = Array.from({ length: trees }, (_, t) => {
    const tree: TreeNode[] = [];
    grow(tree, 0, t % (maxDepth + 1), 100); // depth limit 0: a lone leaf
    return tree;
  });
  return { ...base, trees: treeList };
}

describe('table-driven TreeSHAP explanations', () => {
  const rows = syntheticRows(60, 17);

  it.each([
    ['depth 1', 1],
    ['depth 4, like the trained models', 4],
    ['depth 5, the deepest tabulated', 5],
    ['depth 7, the deepest trees explained by the recursion in their turn', 7],
  ])('equal the per-tree recursion exactly: %s', (_, maxDepth) => {
    const spec = randomSpec(maxDepth, 25, maxDepth, rows);
    for (const row of rows) {
      const expected = recursiveExplanation(spec, row);
      expect(explainChurn(spec, row)).toEqual(expected);
      expect(explain(spec, row, 5)).toEqual(expected.contributions.slice(0, 5));
    }
  });

  it('equal the recursion on a trained spec and on its JSON copy', () => {
    const spec = syntheticGbdtSpec() as GbdtChurnModel;
    const copy: ChurnModelSpec = JSON.parse(JSON.stringify(spec));
    for (const row of rows) {
      const expected = recursiveExplanation(spec, row);
      expect(explainChurn(spec, row)).toEqual(expected);
      expect(explainChurn(copy, row)).toEqual(expected);
    }
  });

  it('stay additive', () => {
    const spec = randomSpec(3, 40, 4, rows);
    for (const row of rows) {
      const e = explainChurn(spec, row);
      const total = e.contributions.reduce((s, c) => s + c.contribution, e.expectedLogit);
      expect(Math.abs(total - e.logit)).toBeLessThan(1e-9);
    }
  });
});

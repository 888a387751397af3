import { encodeRow } from '@vigil/common';
import { fitChurnEncoding, fitGbdt, type GbdtParams } from '../../../src/domain/churn';
import { labelsOf, syntheticRows } from './fixtures';

const rows = syntheticRows(500, 3);
const encoding = fitChurnEncoding(rows, 'raw');
const X = rows.map((r) => encodeRow(encoding, r));
const y = labelsOf(rows);
const params: GbdtParams = { maxDepth: 3, learningRate: 0.1, maxRounds: 40, minSamplesLeaf: 10, l2: 1, subsample: 0.8, earlyStoppingRounds: 10, maxBins: 32 };

const splitColumns = (tree: { feature: number }[]) => new Set(tree.filter((n) => n.feature >= 0).map((n) => n.feature));

describe('fitGbdt column subsampling', () => {
  it('lets each tree split only on its own draw of round(colsample * width) columns', () => {
    const fit = fitGbdt(X, y, { ...params, colsample: 0.1 }, 9);
    const perTree = Math.round(0.1 * X[0].length);
    const used = new Set<number>();
    for (const tree of fit.trees) {
      const columns = splitColumns(tree);
      expect(columns.size).toBeLessThanOrEqual(perTree);
      columns.forEach((c) => used.add(c));
    }
    expect(used.size).toBeGreaterThan(perTree); // different trees drew different columns
  });

  it('is deterministic for a seed, and colsample 1 is the same as leaving it out', () => {
    expect(fitGbdt(X, y, { ...params, colsample: 0.5 }, 4)).toEqual(fitGbdt(X, y, { ...params, colsample: 0.5 }, 4));
    expect(fitGbdt(X, y, { ...params, colsample: 1 }, 4)).toEqual(fitGbdt(X, y, params, 4));
  });

  it('fits depth-1 stumps: one split per tree', () => {
    const fit = fitGbdt(X, y, { ...params, maxDepth: 1 }, 4);
    for (const tree of fit.trees) expect(tree.length === 1 || tree.length === 3).toBe(true);
  });
});

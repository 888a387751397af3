import {
  encodeRow,
  encodedColumnFeature,
  encodedColumnNames,
  explain,
  explainChurn,
  expectedLogit,
  predictLogit,
  predictProbability,
  sigmoid,
  type ChurnRow,
  type NumericEncoding,
} from '@vigil/common';
import { trainChurnModel } from '../../../src/domain/churn';
import { syntheticGbdtSpec, syntheticLogisticSpec, syntheticRows } from './fixtures';

describe('linear explanation', () => {
  const spec = syntheticLogisticSpec();
  const rows = syntheticRows(30, 9);

  it('is exactly w_j * (x_j - mean_j), summed over the one-hot columns of each raw feature', () => {
    const row = rows[0];
    const x = encodeRow(spec.encoding, row);
    const groupOf = encodedColumnFeature(spec.encoding);
    const expected = new Map<string, number>();
    x.forEach((v, j) => {
      const name = spec.encoding.features[groupOf[j]].name;
      expected.set(name, (expected.get(name) ?? 0) + spec.weights[j] * (v - spec.encodedMeans[j]));
    });
    for (const c of explainChurn(spec, row).contributions) expect(c.contribution).toBe(expected.get(c.feature));
  });

  it('adds up: sum(contributions) + expected value = log-odds of the prediction', () => {
    for (const row of rows) {
      const e = explainChurn(spec, row);
      const total = e.contributions.reduce((s, c) => s + c.contribution, e.expectedLogit);
      expect(Math.abs(total - predictLogit(spec, row))).toBeLessThan(1e-9);
      expect(sigmoid(e.logit)).toBeCloseTo(predictProbability(spec, row), 15);
      expect(e.expectedLogit).toBe(expectedLogit(spec));
    }
  });

  it('sorts by |contribution| then name and honours topK', () => {
    const top = explain(spec, rows[1], 5);
    expect(top).toHaveLength(5);
    for (let i = 1; i < top.length; i++) {
      const a = Math.abs(top[i - 1].contribution);
      const b = Math.abs(top[i].contribution);
      expect(a > b || (a === b && top[i - 1].feature < top[i].feature)).toBe(true);
    }
    expect(explain(spec, rows[1], 100)).toHaveLength(19);
  });
});

describe('encoding edge cases', () => {
  const spec = syntheticGbdtSpec();
  const row: ChurnRow = { ...syntheticRows(1, 4)[0] };

  it('encodes an unseen category as all zeros and imputes a blank numeric with the median', () => {
    const x = encodeRow(spec.encoding, { ...row, PaymentMethod: 'Crypto', TotalCharges: ' ' });
    const groupOf = encodedColumnFeature(spec.encoding);
    const columnsOf = (name: string) => [...x].filter((_, j) => spec.encoding.features[groupOf[j]].name === name);
    expect(columnsOf('PaymentMethod')).toEqual([0, 0, 0, 0]);
    const total = spec.encoding.features.find((f) => f.name === 'TotalCharges');
    if (total?.kind !== 'numeric') throw new Error('TotalCharges must be numeric');
    expect(columnsOf('TotalCharges')).toEqual([total.median]);
    expect(total.median).toBe(Math.fround(total.median)); // float32-representable, like the ONNX graph's
  });
});

describe('ln(1 + x) column', () => {
  const spec = syntheticLogisticSpec();
  const row: ChurnRow = { ...syntheticRows(1, 5)[0] };
  const names = encodedColumnNames(spec.encoding);
  const at = names.indexOf('log1p(tenure)');
  const tenure = spec.encoding.features.find((f): f is NumericEncoding => f.name === 'tenure' && f.kind === 'numeric')!;

  it('sits right after tenure and belongs to tenure, so explanations stay per raw feature', () => {
    expect(names.slice(at - 1, at + 1)).toEqual(['tenure', 'log1p(tenure)']);
    expect(spec.encoding.features[encodedColumnFeature(spec.encoding)[at]].name).toBe('tenure');
    expect(explainChurn(spec, row).contributions).toHaveLength(19);
  });

  it('encodes ln(1 + tenure) standardized with the training statistics, and a negative value as ln(1)', () => {
    const log = tenure.log!;
    expect(encodeRow(spec.encoding, { ...row, tenure: 11 })[at]).toBe((Math.log(12) - log.mean) / log.std);
    expect(encodeRow(spec.encoding, { ...row, tenure: -3 })[at]).toBe((0 - log.mean) / log.std);
    // A blank value is imputed first, so both columns see the median.
    expect(encodeRow(spec.encoding, { ...row, tenure: null })[at]).toBe((Math.log(1 + tenure.median) - log.mean) / log.std);
  });
});

describe('determinism', () => {
  it('gives identical models and metrics for the same rows and seed', () => {
    const rows = syntheticRows(600, 21);
    const a = trainChurnModel(rows, { seed: 3 });
    const b = trainChurnModel(rows, { seed: 3 });
    expect(JSON.stringify(a.spec)).toBe(JSON.stringify(b.spec));
    expect(a.metrics).toEqual(b.metrics);
    expect(a.candidates.map((c) => c.validationRocAuc)).toEqual(b.candidates.map((c) => c.validationRocAuc));
    expect(a.holdout.customerIDs).toEqual(b.holdout.customerIDs);
    const row = rows[0];
    expect(explain(a.spec, row, 19)).toEqual(explain(b.spec, row, 19));
  });

  it('produces a JSON round-trippable spec that predicts the same', () => {
    const spec = syntheticGbdtSpec();
    const copy = JSON.parse(JSON.stringify(spec));
    for (const row of syntheticRows(20, 8)) expect(predictProbability(copy, row)).toBe(predictProbability(spec, row));
  });
});

import {
  checkChurnModelSpec,
  explainChurn,
  expectedLogit,
  predictLogit,
  predictProbability,
  sigmoid,
  type EnsembleChurnModel,
} from '@vigil/common';
import { ENSEMBLE_WEIGHTS, trainChurnModel } from '../../../src/domain/churn';
import { syntheticEnsembleSpec, syntheticRows } from './fixtures';

describe('ensemble of a logistic and a gbdt model', () => {
  const spec = syntheticEnsembleSpec(0.25);
  const rows = syntheticRows(40, 13);

  it('predicts w * logistic + (1 - w) * gbdt in log-odds', () => {
    for (const row of rows) {
      expect(predictLogit(spec, row)).toBe(0.25 * predictLogit(spec.logistic, row) + 0.75 * predictLogit(spec.gbdt, row));
      expect(predictProbability(spec, row)).toBe(sigmoid(predictLogit(spec, row)));
    }
  });

  it('explains each feature by the same weighted sum of the two exact explanations', () => {
    for (const row of rows.slice(0, 10)) {
      const lr = new Map(explainChurn(spec.logistic, row).contributions.map((c) => [c.feature, c.contribution]));
      const gb = new Map(explainChurn(spec.gbdt, row).contributions.map((c) => [c.feature, c.contribution]));
      const e = explainChurn(spec, row);
      expect(e.contributions).toHaveLength(19);
      for (const c of e.contributions) expect(c.contribution).toBe(0.25 * lr.get(c.feature)! + 0.75 * gb.get(c.feature)!);
    }
  });

  it('adds up: sum(contributions) + expected value = log-odds of the prediction', () => {
    expect(expectedLogit(spec)).toBe(0.25 * expectedLogit(spec.logistic) + 0.75 * expectedLogit(spec.gbdt));
    for (const row of rows) {
      const e = explainChurn(spec, row);
      expect(e.expectedLogit).toBe(expectedLogit(spec));
      expect(Math.abs(e.contributions.reduce((s, c) => s + c.contribution, e.expectedLogit) - predictLogit(spec, row))).toBeLessThan(1e-9);
      expect(Math.abs(e.logit - predictLogit(spec, row))).toBeLessThan(1e-12);
    }
  });

  it('is checked as a whole: weight in [0, 1], both parts consistent', () => {
    expect(checkChurnModelSpec(spec)).toEqual([]);
    expect(checkChurnModelSpec({ ...spec, logisticWeight: 1.5 })).toContain('logisticWeight must be in [0, 1]');
    const broken: EnsembleChurnModel = { ...spec, logistic: { ...spec.logistic, weights: spec.logistic.weights.slice(1) } };
    expect(checkChurnModelSpec(broken)).toContain('logistic: weights do not match the encoding width');
  });
});

describe('training an ensemble', () => {
  const rows = syntheticRows(800, 31);

  it('forced, ships the ensemble of the two chosen models with a weight chosen on validation', () => {
    const r = trainChurnModel(rows, { seed: 5, kind: 'ensemble' });
    expect(r.kind).toBe('ensemble');
    if (r.spec.kind !== 'ensemble') throw new Error('expected an ensemble spec');
    expect(ENSEMBLE_WEIGHTS).toContain(r.spec.logisticWeight);
    expect(r.candidates.map((c) => c.kind)).toEqual(['logistic', 'gbdt', 'ensemble']);
    const weights = r.search.filter((p) => p.kind === 'ensemble');
    expect(weights).toHaveLength(ENSEMBLE_WEIGHTS.length);
    const best = Math.max(...weights.map((p) => p.validationRocAuc));
    expect(r.candidates[2].validationRocAuc).toBe(best);
  });

  it('on auto, competes with the single models on validation ROC AUC', () => {
    const r = trainChurnModel(rows, { seed: 5 });
    const best = Math.max(...r.candidates.map((c) => c.validationRocAuc));
    expect(r.candidates.find((c) => c.kind === r.kind)!.validationRocAuc).toBe(best);
    expect(r.candidates.map((c) => c.kind)).toEqual(['logistic', 'gbdt', 'ensemble']);
  });
});

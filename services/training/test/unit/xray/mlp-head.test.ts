import { rocAuc } from '../../../src/domain/churn/metrics';
import { splitByPatient } from '../../../src/domain/xray/patient-split';
import { fitMlpHead, scoreMlpHead, type MlpParams } from '../../../src/domain/xray/mlp-head';
import { syntheticXrays } from './fixtures';

describe('the early-stopped head (mlp-head)', () => {
  const { images, x } = syntheticXrays(240);
  const y = images.map((im) => (im.label === 'PNEUMONIA' ? 1 : 0));
  const split = splitByPatient(images.map((im) => im.patientId), y.map((v) => v === 1), 1);
  const base: MlpParams = { hidden: 0, l2: 1e-3, learningRate: 0.01, batchSize: 16, maxEpochs: 30, patience: 5 };
  const auc = (scores: Float64Array, rows: number[]) => rocAuc(scores, rows.map((i) => y[i]));

  test.each([0, 6])('with %i hidden units it separates pneumonia from normal on held-out patients', (hidden) => {
    const fit = fitMlpHead(x, split.train, split.validation, y, { ...base, hidden }, 42);
    expect(fit.head.hiddenBias).toHaveLength(hidden);
    expect(fit.head.outputWeights).toHaveLength(hidden || x.d);
    expect(auc(scoreMlpHead(fit.head, x, split.test), split.test)).toBeGreaterThan(0.9);
  });

  test('keeps the weights of the epoch with the best validation criterion, which it reports', () => {
    const fit = fitMlpHead(x, split.train, split.validation, y, { ...base, hidden: 4 }, 42);
    expect(fit.bestEpoch).toBeGreaterThanOrEqual(1);
    expect(fit.epochs).toBeLessThanOrEqual(base.maxEpochs);
    expect(fit.epochs - fit.bestEpoch).toBeLessThanOrEqual(base.patience);
    expect(fit.validationScore).toBeCloseTo(auc(scoreMlpHead(fit.head, x, split.validation), split.validation), 10);
  });

  test('stops after `patience` epochs without improvement, with a criterion of its own', () => {
    // A criterion that never improves after epoch 1: training stops at 1 + patience.
    const fit = fitMlpHead(x, split.train, split.validation, y, base, 42, () => 0);
    expect(fit.bestEpoch).toBe(1);
    expect(fit.epochs).toBe(1 + base.patience);
  });

  test('is a pure function of data, parameters and seed', () => {
    const a = fitMlpHead(x, split.train, split.validation, y, { ...base, hidden: 3 }, 42);
    const b = fitMlpHead(x, split.train, split.validation, y, { ...base, hidden: 3 }, 42);
    const c = fitMlpHead(x, split.train, split.validation, y, { ...base, hidden: 3 }, 43);
    expect(b.head).toEqual(a.head);
    expect(c.head.hiddenWeights).not.toEqual(a.head.hiddenWeights);
  });

  test('scores with the stored standardisation: a row equal to the training mean gets sigmoid of the biases', () => {
    const fit = fitMlpHead(x, split.train, split.validation, y, { ...base, hidden: 2 }, 42);
    const h = fit.head;
    const atMean = { data: Float32Array.from(h.mean), n: 1, d: x.d };
    const act = h.hiddenBias.map((b) => Math.max(b, 0));
    const logit = h.outputBias + act.reduce((s, a, k) => s + a * h.outputWeights[k], 0);
    expect(scoreMlpHead(h, atMean, [0])[0]).toBeCloseTo(1 / (1 + Math.exp(-logit)), 5);
  });
});

import { splitByPatient } from '../../../src/domain/xray/patient-split';
import { trainXrayModels, type HeadCandidate } from '../../../src/domain/xray/train-xray-models';
import { syntheticXrays } from './fixtures';

// Small grids keep the test fast; the default grids are measured by scripts/xray-report.ts.
const GRID: HeadCandidate[] = [
  { trainer: 'full-batch', l2: 1e-2, iterations: 60, learningRate: 0.05 },
  { trainer: 'early-stopping', hidden: 0, l2: 1e-3, learningRate: 0.01, batchSize: 16, maxEpochs: 20, patience: 4 },
];

describe('trainXrayModels', () => {
  const { images, x } = syntheticXrays(300);
  const options = { seed: 42, targetRecall: 0.98, confidenceLogitMargin: 1, grid: GRID };
  const result = trainXrayModels(images, x, options);

  test('keeps every patient in one part, and the type model on pneumonia images of the same parts', () => {
    const { pneumonia, type } = result;
    const patientOf = new Map(images.map((im) => [im.sha256, im.patientId]));
    const parts = ['train', 'validation', 'test'] as const;
    const patients = parts.map((p) => new Set(pneumonia.images[p].map((h) => patientOf.get(h))));
    for (const [a, b] of [[0, 1], [0, 2], [1, 2]]) expect([...patients[a]].some((p) => patients[b].has(p))).toBe(false);
    const sick = new Set(images.filter((im) => im.label === 'PNEUMONIA').map((im) => im.sha256));
    for (const p of parts) expect(type.images[p]).toEqual(pneumonia.images[p].filter((h) => sick.has(h)));
  });

  test('xray-pneumonia reaches the target recall on validation, and its head was picked by specificity at that recall', () => {
    const p = result.pneumonia;
    expect(p.validation.recall).toBeGreaterThanOrEqual(0.98);
    expect(p.criterion).toMatch(/specificity at recall 0.98/);
    expect(p.search).toHaveLength(GRID.length);
    const best = Math.max(...p.search.map((s) => s.validationCriterion));
    expect(p.search.find((s) => s.candidate === p.hyperParameters)!.validationCriterion).toBe(best);
    expect(p.metrics.rocAuc).toBeGreaterThan(0.9);
    expect(p.band.low).toBeLessThan(p.threshold);
    expect(p.band.high).toBeGreaterThan(p.threshold);
  });

  test('reports the majority-class baseline on validation and on test', () => {
    for (const r of [result.pneumonia, result.type]) {
      for (const [m, b] of [[r.validation, r.validationBaseline], [r.metrics, r.baseline]] as const) {
        const majority = Math.max(m.positives, m.n - m.positives);
        expect(b.accuracy).toBeCloseTo(majority / m.n);
        expect(b.rocAuc).toBe(0.5);
      }
    }
    expect(result.pneumonia.baseline.majorityClass).toBe('pneumonia'); // two thirds of the synthetic images
  });

  test('xray-type takes the most accurate threshold on validation by default, 0.5 when asked for balance', () => {
    const t = result.type;
    expect(t.criterion).toBe('ROC AUC');
    expect(t.validation.accuracy).toBeGreaterThan(t.validationBaseline.accuracy);
    const balanced = trainXrayModels(images, x, { ...options, typeThreshold: 'balanced' }).type;
    expect(balanced.threshold).toBe(0.5);
    expect(balanced.head).toEqual(t.head);
    expect(t.validation.accuracy).toBeGreaterThanOrEqual(balanced.validation.accuracy);
  });

  test('is reproducible from (images, embeddings, seed)', () => {
    const again = trainXrayModels(images, x, options);
    expect(again.pneumonia.head).toEqual(result.pneumonia.head);
    expect(again.type.threshold).toBe(result.type.threshold);
  });
});

describe('splitByPatient', () => {
  test('puts about the requested fractions of each stratum in validation and test, independent of row order', () => {
    const ids = Array.from({ length: 200 }, (_, i) => `P${i}`);
    const positive = ids.map((_, i) => i % 4 !== 0);
    const split = splitByPatient(ids, positive, 3);
    // round(150 · 0.15) = 23 positive and round(50 · 0.15) = 8 negative patients, one image each.
    expect(split.validation).toHaveLength(31);
    expect(split.test).toHaveLength(31);
    expect(split.validation.filter((i) => positive[i])).toHaveLength(23);
    const reversed = splitByPatient([...ids].reverse(), [...positive].reverse(), 3);
    expect(reversed.test.map((i) => ids[199 - i]).sort()).toEqual(split.test.map((i) => ids[i]).sort());
  });
});

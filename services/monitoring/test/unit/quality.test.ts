import { baselineOf, qualityOf, rocAuc } from '../../src/domain/quality';

const scored = (pairs: [number, 0 | 1][]) => pairs.map(([score, y]) => ({ score, positive: y === 1 }));
const counts = (c: { tp: number; fp: number; fn: number; tn: number }, predictions = c.tp + c.fp + c.fn + c.tn, predictedPositive = c.tp + c.fp, brierSum = 0) => ({
  ...c, predictions, predictedPositive, brierSum,
});

describe('rocAuc', () => {
  test('is the share of positive/negative pairs ranked the right way round', () => {
    // Pairs (pos, neg): (0.9,0.1) (0.9,0.4) (0.35,0.1) (0.35,0.4)=wrong → 3 of 4.
    expect(rocAuc(scored([[0.1, 0], [0.4, 0], [0.35, 1], [0.9, 1]]))).toBeCloseTo(0.75, 12);
    expect(rocAuc(scored([[0.1, 0], [0.2, 0], [0.8, 1]]))).toBe(1);
    expect(rocAuc(scored([[0.9, 0], [0.2, 1]]))).toBe(0);
  });

  test('counts a tie between a positive and a negative as one half', () => {
    expect(rocAuc(scored([[0.5, 0], [0.5, 1]]))).toBe(0.5);
    // Positive 0.5 ties negative 0.5 (½) and beats 0.2 (1): (1 + ½) / 2.
    expect(rocAuc(scored([[0.2, 0], [0.5, 0], [0.5, 1]]))).toBe(0.75);
  });

  test('is undefined when one class is missing', () => {
    expect(rocAuc(scored([[0.1, 1], [0.9, 1]]))).toBeNull();
    expect(rocAuc([])).toBeNull();
  });
});

describe('qualityOf', () => {
  test('computes the confusion-matrix metrics by hand', () => {
    // tp 3, fp 1, fn 2, tn 4 over 10 labelled of 12 predictions (the other two unlabelled and negative).
    const q = qualityOf(counts({ tp: 3, fp: 1, fn: 2, tn: 4 }, 12, 4, 1.5), []);
    expect(q).toMatchObject({ predictions: 12, labelled: 10, confusion: { tp: 3, fp: 1, fn: 2, tn: 4 } });
    expect(q.positiveRate).toBeCloseTo(4 / 12, 12);
    expect(q.precision).toBeCloseTo(3 / 4, 12);
    expect(q.recall).toBeCloseTo(3 / 5, 12);
    expect(q.f1).toBeCloseTo((2 * 0.75 * 0.6) / (0.75 + 0.6), 12);
    expect(q.falseNegativeRate).toBeCloseTo(2 / 5, 12);
    expect(q.specificity).toBeCloseTo(4 / 5, 12);
    expect(q.accuracy).toBeCloseTo(7 / 10, 12);
    expect(q.brier).toBeCloseTo(0.15, 12);
    // 5 positives, 5 negatives: the tie goes to "negative".
    expect(q.baseline).toEqual({ majorityClass: 'negative', accuracy: 0.5, recall: 0, specificity: 1, rocAuc: 0.5 });
    expect(q.belowBaseline).toBe(false);
  });

  test('flags a model that always answers the majority class: recall 0, no better than the baseline', () => {
    // 90 healthy, 10 pneumonia; the model says "normal" to all of them.
    const q = qualityOf(counts({ tp: 0, fp: 0, fn: 10, tn: 90 }), scored([...Array(10).fill([0.1, 1]), ...Array(90).fill([0.1, 0])]));
    expect(q.recall).toBe(0);
    expect(q.falseNegativeRate).toBe(1);
    expect(q.f1).toBe(0);
    expect(q.precision).toBeNull(); // it never answered positive
    expect(q.accuracy).toBe(0.9);
    expect(q.baseline).toMatchObject({ majorityClass: 'negative', accuracy: 0.9, recall: 0 });
    expect(q.rocAuc).toBe(0.5);
    expect(q.belowBaseline).toBe(true);
  });

  test('leaves every label-based metric undefined while nothing is labelled, not 0', () => {
    const q = qualityOf(counts({ tp: 0, fp: 0, fn: 0, tn: 0 }, 40, 8), []);
    expect(q.positiveRate).toBe(0.2);
    for (const metric of ['accuracy', 'precision', 'recall', 'f1', 'falseNegativeRate', 'specificity', 'rocAuc', 'brier', 'belowBaseline'] as const) {
      expect(q[metric]).toBeNull();
    }
    expect(q.baseline).toEqual({ majorityClass: null, accuracy: null, recall: null, specificity: null, rocAuc: null });
  });

  test('says when AUC was computed on a capped sample', () => {
    const q = qualityOf(counts({ tp: 2, fp: 0, fn: 0, tn: 2 }), scored([[0.9, 1], [0.1, 0]]));
    expect(q.aucSample).toEqual({ size: 2, capped: true });
  });
});

describe('baselineOf', () => {
  test('answers positive when most labels are positive', () => {
    expect(baselineOf({ tp: 6, fn: 1, fp: 2, tn: 1 })).toEqual({ majorityClass: 'positive', accuracy: 0.7, recall: 1, specificity: 0, rocAuc: 0.5 });
  });
});

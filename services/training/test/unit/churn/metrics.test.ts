import {
  averagePrecision,
  bestF1Threshold,
  binaryMetrics,
  brierScore,
  confusionAt,
  rocAuc,
} from '../../../src/domain/churn';

describe('churn metrics', () => {
  it('computes ROC AUC as the share of correctly ordered (positive, negative) pairs', () => {
    // Pairs (pos, neg): (0.8,0.1) (0.8,0.4) (0.35,0.1) (0.35,0.4) -> 3 of 4 ordered.
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.75, 15);
    expect(rocAuc([0.9, 0.8, 0.2, 0.1], [1, 1, 0, 0])).toBe(1);
    expect(rocAuc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1])).toBe(0);
  });

  it('counts a tie between a positive and a negative as one half', () => {
    // Pairs: (0.5 vs 0.5) tie = 0.5, (0.5 vs 0.2) = 1, (0.9 vs 0.5) = 1, (0.9 vs 0.2) = 1 -> 3.5 / 4.
    expect(rocAuc([0.5, 0.2, 0.5, 0.9], [0, 0, 1, 1])).toBeCloseTo(0.875, 15);
    // All scores equal: no information.
    expect(rocAuc([0.3, 0.3, 0.3, 0.3], [0, 1, 0, 1])).toBe(0.5);
  });

  it('returns NaN for ROC AUC when a class is missing', () => {
    expect(rocAuc([0.1, 0.2], [1, 1])).toBeNaN();
  });

  it('computes average precision step-wise, tie groups entering together', () => {
    // Ranked: 0.9 (pos) P=1 R=.5; 0.8 (neg); 0.7 (pos) P=2/3 R=1 -> AP = .5*1 + .5*2/3.
    expect(averagePrecision([0.9, 0.8, 0.7], [1, 0, 1])).toBeCloseTo(0.5 + 1 / 3, 15);
    // One tie group of (pos, neg) at the top: P = 1/2 when recall jumps to 1.
    expect(averagePrecision([0.5, 0.5], [1, 0])).toBeCloseTo(0.5, 15);
  });

  it('builds the confusion matrix with "positive when score >= threshold"', () => {
    expect(confusionAt([0.2, 0.5, 0.7, 0.4], [0, 1, 0, 1], 0.5)).toEqual({ tp: 1, fp: 1, tn: 1, fn: 1 });
  });

  it('chooses the F1-maximising threshold among the scores', () => {
    // Threshold 0.6 -> tp 2, fp 0, fn 1: F1 = 0.8; 0.3 -> tp 3, fp 1: F1 = 6/7 (better).
    const best = bestF1Threshold([0.9, 0.6, 0.3, 0.3, 0.1], [1, 1, 1, 0, 0]);
    expect(best.threshold).toBe(0.3);
    expect(best.f1).toBeCloseTo(6 / 7, 15);
  });

  it('reports Brier score and a full metric set', () => {
    expect(brierScore([1, 0, 0.5], [1, 0, 1])).toBeCloseTo(0.25 / 3, 15);
    const m = binaryMetrics([0.9, 0.2, 0.6, 0.4], [1, 0, 0, 1], 0.5);
    expect(m).toMatchObject({ n: 4, positives: 2, accuracy: 0.5, precision: 0.5, recall: 0.5, f1: 0.5 });
    expect(m.rocAuc).toBeCloseTo(0.75, 15);
  });
});

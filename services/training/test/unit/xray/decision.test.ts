import { confidenceBand, specificityAtRecall, thresholdForAccuracy, thresholdForRecall } from '../../../src/domain/xray/decision';

describe('decision thresholds', () => {
  const scores = [0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9, 0.35, 0.05];
  const labels = [0, 0, 1, 0, 1, 1, 1, 1, 0, 0];

  test('the recall threshold is the highest one that still catches the target share of positives', () => {
    expect(thresholdForRecall(scores, labels, 1)).toBe(0.3);
    expect(thresholdForRecall(scores, labels, 0.8)).toBe(0.6); // one of five positives may be missed
    expect(thresholdForRecall([0.2], [0], 0.98)).toBe(0.5); // no positives: the neutral threshold
  });

  test('specificity at a recall counts the negatives below that threshold', () => {
    // Threshold 0.3 keeps every positive; negatives 0.1, 0.2, 0.05 fall below it, 0.4 and 0.35 do not.
    expect(specificityAtRecall(scores, labels, 1)).toBeCloseTo(3 / 5);
    // Threshold 0.6: all five negatives fall below it.
    expect(specificityAtRecall(scores, labels, 0.8)).toBe(1);
  });

  test('the accuracy threshold maximises accuracy, between two distinct scores', () => {
    const t = thresholdForAccuracy(scores, labels);
    const accuracy = (th: number) => scores.filter((s, i) => (s >= th ? 1 : 0) === labels[i]).length / scores.length;
    expect(t).toBeCloseTo(0.5); // midway between 0.4 (negative) and 0.6 (positive): all but the positive at 0.3 right
    expect(accuracy(t)).toBe(0.9);
    for (const other of [0.05, 0.2, 0.32, 0.38, 0.65, 0.95]) expect(accuracy(other)).toBeLessThanOrEqual(accuracy(t));
  });

  test('on a tie in accuracy the threshold closest to 0.5 wins, and one class alone gets a threshold past its scores', () => {
    expect(thresholdForAccuracy([0.2, 0.8], [1, 1])).toBeLessThanOrEqual(0.2);
    expect(thresholdForAccuracy([0.2, 0.8], [0, 0])).toBeGreaterThan(0.8);
    // 0.15 and 0.65 both get three of four right; 0.65 is closer to 0.5.
    expect(thresholdForAccuracy([0.1, 0.2, 0.6, 0.7], [0, 1, 0, 1])).toBeCloseTo(0.65);
  });

  test('the confidence band is symmetric around the threshold in log-odds', () => {
    const { low, high } = confidenceBand(0.2, 1);
    const logit = (p: number) => Math.log(p / (1 - p));
    expect(logit(high) - logit(0.2)).toBeCloseTo(1);
    expect(logit(0.2) - logit(low)).toBeCloseTo(1);
  });

  test('the band straddles a threshold however close to 0 or 1 it is', () => {
    for (const t of [3.5e-19, 1e-9, 1 - 1e-12]) {
      const { low, high } = confidenceBand(t, 1);
      expect(low).toBeLessThan(t);
      expect(high).toBeGreaterThan(t);
    }
  });
});

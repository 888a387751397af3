/**
 * Where a pneumonia score becomes "positive", and where it is too close to call.
 */

/**
 * The highest threshold whose recall on the given (validation) scores reaches `targetRecall`:
 * missing a pneumonia costs far more than a second look at a healthy chest, so the threshold is set
 * by recall, not by accuracy. Positive means score >= threshold.
 */
export function thresholdForRecall(scores: ArrayLike<number>, labels: ArrayLike<number>, targetRecall: number): number {
  const positives = Array.from(scores).filter((_, i) => labels[i] === 1).sort((a, b) => a - b);
  if (positives.length === 0) return 0.5;
  // Allowed misses: the most positives that may fall below the threshold with recall >= target.
  const misses = Math.floor((1 - targetRecall) * positives.length + 1e-9);
  return positives[Math.min(misses, positives.length - 1)];
}

const logit = (p: number) => Math.log(p / (1 - p));
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/**
 * The low-confidence band around a threshold: scores within `logitMargin` of it in log-odds. The
 * margin is in log-odds so that the band is as wide in evidence near a threshold of 0.05 as near 0.5.
 */
export function confidenceBand(threshold: number, logitMargin: number): { low: number; high: number } {
  const t = logit(Math.min(Math.max(threshold, 1e-6), 1 - 1e-6));
  return { low: sigmoid(t - logitMargin), high: sigmoid(t + logitMargin) };
}

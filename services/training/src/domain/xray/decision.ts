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

/**
 * Specificity at the threshold thresholdForRecall picks: what a head is worth when recall is fixed
 * first. Ties with the threshold count as positive, as they do in serving.
 */
export function specificityAtRecall(scores: ArrayLike<number>, labels: ArrayLike<number>, targetRecall: number): number {
  const threshold = thresholdForRecall(scores, labels, targetRecall);
  let negatives = 0;
  let trueNegatives = 0;
  for (let i = 0; i < scores.length; i++) {
    if (labels[i] === 1) continue;
    negatives++;
    if (scores[i] < threshold) trueNegatives++;
  }
  return negatives ? trueNegatives / negatives : 0;
}

/**
 * The threshold with the highest accuracy on the given (validation) scores, among the midpoints
 * between consecutive distinct scores; ties go to the threshold closest to 0.5.
 */
export function thresholdForAccuracy(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  const positives = order.reduce((s, i) => s + (labels[i] === 1 ? 1 : 0), 0);
  // Threshold below every score: all positive, correct = positives.
  let correct = positives;
  let best = { correct, threshold: order.length ? scores[order[0]] : 0.5 };
  for (let k = 0; k < order.length; k++) {
    correct += labels[order[k]] === 1 ? -1 : 1; // order[k] is now answered negative
    const next = k + 1 < order.length ? scores[order[k + 1]] : 1;
    if (k + 1 < order.length && next === scores[order[k]]) continue; // not a boundary between distinct scores
    const threshold = k + 1 < order.length ? (scores[order[k]] + next) / 2 : Math.max(scores[order[k]], 0.5) + 1e-9;
    if (correct > best.correct || (correct === best.correct && Math.abs(threshold - 0.5) < Math.abs(best.threshold - 0.5))) best = { correct, threshold };
  }
  return best.threshold;
}

const logit = (p: number) => Math.log(p / (1 - p));
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/**
 * The low-confidence band around a threshold: scores within `logitMargin` of it in log-odds. The
 * margin is in log-odds so that the band is as wide in evidence near a threshold of 0.05 as near 0.5.
 */
export function confidenceBand(threshold: number, logitMargin: number): { low: number; high: number } {
  // Clamped only to keep the log-odds finite: a head trained on few images can put its threshold
  // at 1e-19, and the band must still straddle it.
  const t = logit(Math.min(Math.max(threshold, 1e-300), 1 - 1e-16));
  return { low: sigmoid(t - logitMargin), high: sigmoid(t + logitMargin) };
}

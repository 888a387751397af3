/**
 * Binary classification metrics for churn (label 1 = churned). Scores are probabilities.
 * Ties are handled explicitly everywhere: tree models produce many equal scores.
 */

export interface ConfusionMatrix {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

export interface BinaryMetrics {
  n: number;
  positives: number;
  rocAuc: number;
  /** Average precision (area under the step-wise precision/recall curve). */
  prAuc: number;
  /** Positive when probability >= threshold. */
  threshold: number;
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  brier: number;
  logLoss: number;
  confusion: ConfusionMatrix;
}

function checkLengths(scores: ArrayLike<number>, labels: ArrayLike<number>): void {
  if (scores.length !== labels.length) throw new RangeError('scores and labels differ in length');
}

/** Indices ordered by score descending; ties keep index order (the result does not depend on it). */
function byScoreDesc(scores: ArrayLike<number>): number[] {
  return Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b);
}

/**
 * ROC AUC as the Mann-Whitney U statistic: P(score of a random positive > random negative), ties
 * counting one half (mid-ranks). NaN when one class is absent.
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkLengths(scores, labels);
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let rankSumPos = 0;
  let nPos = 0;
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && scores[order[end + 1]] === scores[order[start]]) end++;
    const midRank = (start + end) / 2 + 1; // 1-based average rank of the tie group
    for (let k = start; k <= end; k++) {
      if (labels[order[k]] === 1) {
        rankSumPos += midRank;
        nPos++;
      }
    }
    start = end + 1;
  }
  const nNeg = order.length - nPos;
  if (nPos === 0 || nNeg === 0) return NaN;
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/**
 * Average precision: sum over distinct thresholds of (recall gain) * precision, each tie group of
 * scores entering at once (the scikit-learn definition). NaN without positives.
 */
export function averagePrecision(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkLengths(scores, labels);
  const order = byScoreDesc(scores);
  let totalPos = 0;
  for (let i = 0; i < labels.length; i++) totalPos += labels[i] === 1 ? 1 : 0;
  if (totalPos === 0) return NaN;
  let tp = 0;
  let fp = 0;
  let ap = 0;
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && scores[order[end + 1]] === scores[order[start]]) end++;
    let groupTp = 0;
    for (let k = start; k <= end; k++) groupTp += labels[order[k]] === 1 ? 1 : 0;
    tp += groupTp;
    fp += end - start + 1 - groupTp;
    ap += (groupTp / totalPos) * (tp / (tp + fp));
    start = end + 1;
  }
  return ap;
}

export function confusionAt(scores: ArrayLike<number>, labels: ArrayLike<number>, threshold: number): ConfusionMatrix {
  checkLengths(scores, labels);
  const m: ConfusionMatrix = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < scores.length; i++) {
    const predicted = scores[i] >= threshold;
    if (labels[i] === 1) {
      if (predicted) m.tp++;
      else m.fn++;
    } else if (predicted) m.fp++;
    else m.tn++;
  }
  return m;
}

const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);

export function f1Of(m: ConfusionMatrix): number {
  return ratio(2 * m.tp, 2 * m.tp + m.fp + m.fn);
}

/**
 * The threshold maximizing F1: candidates are the distinct scores (positive when >= candidate).
 * Among equal F1 the highest threshold wins, which makes the choice deterministic.
 */
export function bestF1Threshold(scores: ArrayLike<number>, labels: ArrayLike<number>): { threshold: number; f1: number } {
  checkLengths(scores, labels);
  const order = byScoreDesc(scores);
  let totalPos = 0;
  for (let i = 0; i < labels.length; i++) totalPos += labels[i] === 1 ? 1 : 0;
  let tp = 0;
  let fp = 0;
  let best = { threshold: Number.POSITIVE_INFINITY, f1: 0 };
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && scores[order[end + 1]] === scores[order[start]]) end++;
    for (let k = start; k <= end; k++) {
      if (labels[order[k]] === 1) tp++;
      else fp++;
    }
    const f1 = ratio(2 * tp, tp + fp + totalPos);
    if (f1 > best.f1) best = { threshold: scores[order[start]], f1 };
    start = end + 1;
  }
  return best;
}

export function brierScore(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkLengths(scores, labels);
  let sum = 0;
  for (let i = 0; i < scores.length; i++) sum += (scores[i] - labels[i]) ** 2;
  return sum / scores.length;
}

export function logLoss(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkLengths(scores, labels);
  const eps = 1e-15; // keeps a confident mistake finite
  let sum = 0;
  for (let i = 0; i < scores.length; i++) {
    const p = Math.min(1 - eps, Math.max(eps, scores[i]));
    sum -= labels[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return sum / scores.length;
}

export function binaryMetrics(scores: ArrayLike<number>, labels: ArrayLike<number>, threshold: number): BinaryMetrics {
  const confusion = confusionAt(scores, labels, threshold);
  const n = scores.length;
  return {
    n,
    positives: confusion.tp + confusion.fn,
    rocAuc: rocAuc(scores, labels),
    prAuc: averagePrecision(scores, labels),
    threshold,
    accuracy: ratio(confusion.tp + confusion.tn, n),
    precision: ratio(confusion.tp, confusion.tp + confusion.fp),
    recall: ratio(confusion.tp, confusion.tp + confusion.fn),
    f1: f1Of(confusion),
    brier: brierScore(scores, labels),
    logLoss: logLoss(scores, labels),
    confusion,
  };
}

import type { ScoredLabel, VersionCounts } from './ports';

export interface Confusion {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

/** Always answering the class most labels have: what a model must beat to be worth anything. */
export interface Baseline {
  /** Ties go to negative: the "always say no" answer a lazy model gives. Null without labels. */
  majorityClass: 'positive' | 'negative' | null;
  accuracy: number | null;
  recall: number | null;
  specificity: number | null;
  /** A constant answer ranks nothing: 0.5 whenever AUC is defined at all. */
  rocAuc: number | null;
}

/**
 * Quality of one model version over a window. A metric whose denominator is empty is null
 * (undefined), never 0: "no labels yet" must not read as "always wrong".
 */
export interface Quality {
  predictions: number;
  /** Share of all predictions in the window that answered the positive class. */
  positiveRate: number | null;
  /** Predictions with a current label the model's classes understand. */
  labelled: number;
  confusion: Confusion;
  accuracy: number | null;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  falseNegativeRate: number | null;
  specificity: number | null;
  rocAuc: number | null;
  /** Mean squared difference between the positive-class probability and the truth (0 is perfect). */
  brier: number | null;
  baseline: Baseline;
  /** Accuracy not above the majority-class baseline's: a model answering one class always is flagged. Null without labels. */
  belowBaseline: boolean | null;
  /** AUC is computed on the newest labelled predictions, at most the cap: how many, and whether the cap cut. */
  aucSample: { size: number; capped: boolean };
}

export interface VersionQuality extends Quality {
  modelName: string;
  modelVersion: string;
}

const ratio = (num: number, den: number): number | null => (den > 0 ? num / den : null);

/**
 * ROC AUC as the Mann–Whitney statistic: the probability that a random positive scores above a
 * random negative, ties counting one half (mid-ranks). Null when a class is missing.
 */
export function rocAuc(sample: readonly ScoredLabel[]): number | null {
  const sorted = [...sample].sort((a, b) => a.score - b.score);
  let positives = 0;
  let positiveRankSum = 0;
  for (let start = 0; start < sorted.length; ) {
    let end = start;
    while (end + 1 < sorted.length && sorted[end + 1].score === sorted[start].score) end++;
    const midRank = (start + end) / 2 + 1;
    for (let i = start; i <= end; i++) {
      if (sorted[i].positive) {
        positives++;
        positiveRankSum += midRank;
      }
    }
    start = end + 1;
  }
  const negatives = sorted.length - positives;
  if (positives === 0 || negatives === 0) return null;
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

export function baselineOf({ tp, fp, fn, tn }: Confusion): Baseline {
  const positives = tp + fn;
  const negatives = fp + tn;
  if (positives + negatives === 0) return { majorityClass: null, accuracy: null, recall: null, specificity: null, rocAuc: null };
  const majority = positives > negatives ? 'positive' : 'negative';
  return {
    majorityClass: majority,
    accuracy: Math.max(positives, negatives) / (positives + negatives),
    recall: positives > 0 ? (majority === 'positive' ? 1 : 0) : null,
    specificity: negatives > 0 ? (majority === 'negative' ? 1 : 0) : null,
    rocAuc: positives > 0 && negatives > 0 ? 0.5 : null,
  };
}

/** The metrics of one version from its confusion counts (exact) and a sample of scored labels (for AUC). */
export function qualityOf(counts: Omit<VersionCounts, 'windowMs' | 'modelName' | 'modelVersion'>, sample: readonly ScoredLabel[]): Quality {
  const { tp, fp, fn, tn } = counts;
  const labelled = tp + fp + fn + tn;
  const accuracy = ratio(tp + tn, labelled);
  const baseline = baselineOf(counts);
  return {
    predictions: counts.predictions,
    positiveRate: ratio(counts.predictedPositive, counts.predictions),
    labelled,
    confusion: { tp, fp, fn, tn },
    accuracy,
    precision: ratio(tp, tp + fp),
    recall: ratio(tp, tp + fn),
    // 2tp / (2tp + fp + fn): defined (0) for a model that never answers positive while positives exist.
    f1: ratio(2 * tp, 2 * tp + fp + fn),
    falseNegativeRate: ratio(fn, tp + fn),
    specificity: ratio(tn, tn + fp),
    rocAuc: rocAuc(sample),
    brier: ratio(counts.brierSum, labelled),
    baseline,
    belowBaseline: accuracy === null || baseline.accuracy === null ? null : accuracy <= baseline.accuracy,
    aucSample: { size: sample.length, capped: sample.length < labelled },
  };
}

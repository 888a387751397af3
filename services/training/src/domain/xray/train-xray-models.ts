import { binaryMetrics, type BinaryMetrics } from '../churn/metrics';
import type { XrayImageRef } from '../ports';
import { confidenceBand, thresholdForRecall } from './decision';
import { fitLinearHead, scoreHead, type Embeddings, type HeadParams, type LinearHead } from './linear-head';
import { splitByPatient } from './patient-split';

export interface XrayTrainingOptions {
  seed: number;
  /** Recall xray-pneumonia's threshold must reach on validation images (default 0.98). */
  targetRecall: number;
  /** Half-width of the low-confidence band around a threshold, in log-odds. */
  confidenceLogitMargin: number;
  grid?: readonly HeadParams[];
}

export const HEAD_GRID: readonly HeadParams[] = [1e-3, 1e-2, 1e-1].map((l2) => ({ l2, iterations: 150, learningRate: 0.05 }));

export interface HeadResult {
  head: LinearHead;
  threshold: number;
  band: { low: number; high: number };
  hyperParameters: HeadParams;
  search: { l2: number; validationRocAuc: number }[];
  metrics: BinaryMetrics & { specificity: number; falseNegativeRate: number };
  validation: BinaryMetrics & { specificity: number };
  /** What answering the majority class of the test images every time would score. */
  baseline: { majorityClass: string; accuracy: number; recall: number; specificity: number; rocAuc: number };
  classBalance: { train: { positives: number; negatives: number }; weighting: string };
  /** sha256 of the images each part used: the lineage of the version. */
  images: { train: string[]; validation: string[]; test: string[] };
}

export interface XrayTrainingResult {
  pneumonia: HeadResult;
  type: HeadResult;
  trainingTimeMs: number;
}

function withSpecificity(m: BinaryMetrics) {
  const { tn, fp, fn, tp } = m.confusion;
  return { ...m, specificity: tn + fp ? tn / (tn + fp) : 0, falseNegativeRate: tp + fn ? fn / (tp + fn) : 0 };
}

interface Task {
  x: Embeddings;
  y: Float64Array;
  split: { train: number[]; validation: number[]; test: number[] };
  labels: { positive: string; negative: string };
  pickThreshold: (validationScores: Float64Array, validationLabels: number[]) => number;
  margin: number;
  grid: readonly HeadParams[];
  hashes: readonly string[];
}

function trainHead(task: Task): HeadResult {
  const { x, y, split } = task;
  const labelsOf = (rows: number[]) => rows.map((i) => y[i]);
  // Pick the penalty on validation images; the test images are looked at once, at the end.
  const search = task.grid.map((params) => {
    const head = fitLinearHead(x, split.train, y, params);
    const scores = scoreHead(head, x, split.validation);
    return { params, head, scores, auc: binaryMetrics(scores, labelsOf(split.validation), 0.5).rocAuc };
  });
  const best = search.reduce((a, b) => (b.auc > a.auc ? b : a));
  const threshold = task.pickThreshold(best.scores, labelsOf(split.validation));
  const testLabels = labelsOf(split.test);
  const testScores = scoreHead(best.head, x, split.test);
  const positives = testLabels.filter((v) => v === 1).length;
  const majorityPositive = positives * 2 > testLabels.length;
  const trainPositives = split.train.filter((i) => y[i] === 1).length;
  return {
    head: best.head,
    threshold,
    band: confidenceBand(threshold, task.margin),
    hyperParameters: best.params,
    search: search.map((s) => ({ l2: s.params.l2, validationRocAuc: s.auc })),
    metrics: withSpecificity(binaryMetrics(testScores, testLabels, threshold)),
    validation: withSpecificity(binaryMetrics(best.scores, labelsOf(split.validation), threshold)),
    baseline: {
      majorityClass: majorityPositive ? task.labels.positive : task.labels.negative,
      accuracy: Math.max(positives, testLabels.length - positives) / Math.max(testLabels.length, 1),
      recall: majorityPositive ? 1 : 0,
      specificity: majorityPositive ? 0 : 1,
      rocAuc: 0.5,
    },
    classBalance: {
      train: { positives: trainPositives, negatives: split.train.length - trainPositives },
      weighting: 'class weights n/(2·n_class) in the log loss',
    },
    images: {
      train: split.train.map((i) => task.hashes[i]),
      validation: split.validation.map((i) => task.hashes[i]),
      test: split.test.map((i) => task.hashes[i]),
    },
  };
}

/**
 * Trains both X-ray heads on embeddings of the same frozen backbone. xray-pneumonia learns
 * pneumonia vs normal and takes its threshold from the target recall; xray-type learns bacterial vs
 * viral on pneumonia images only. One patient split serves both, so no patient seen in training is
 * in either model's test set.
 */
export function trainXrayModels(images: readonly XrayImageRef[], x: Embeddings, options: XrayTrainingOptions): XrayTrainingResult {
  const started = performance.now();
  const grid = options.grid ?? HEAD_GRID;
  const hashes = images.map((im) => im.sha256);
  const pneumonia = Float64Array.from(images, (im) => (im.label === 'PNEUMONIA' ? 1 : 0));
  const split = splitByPatient(
    images.map((im) => im.patientId),
    Array.from(pneumonia, (v) => v === 1),
    options.seed,
  );
  const pneumoniaResult = trainHead({
    x, y: pneumonia, split, grid, hashes, margin: options.confidenceLogitMargin,
    labels: { positive: 'pneumonia', negative: 'normal' },
    pickThreshold: (scores, labels) => thresholdForRecall(scores, labels, options.targetRecall),
  });
  const sick = (rows: number[]) => rows.filter((i) => pneumonia[i] === 1);
  const typeResult = trainHead({
    x, y: Float64Array.from(images, (im) => (im.subtype === 'bacterial' ? 1 : 0)),
    split: { train: sick(split.train), validation: sick(split.validation), test: sick(split.test) },
    grid, hashes, margin: options.confidenceLogitMargin,
    labels: { positive: 'bacterial', negative: 'viral' },
    // Class-weighted training makes 0.5 the balanced point; neither type is the "safe" answer.
    pickThreshold: () => 0.5,
  });
  return { pneumonia: pneumoniaResult, type: typeResult, trainingTimeMs: performance.now() - started };
}

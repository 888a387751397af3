/**
 * Trains the churn model end to end, deterministically from (rows, seed):
 *
 *   rows --stratified 80/20--> train | holdout
 *   train --stratified 80/20--> fit | validation
 *
 * Hyper-parameters, boosting rounds, the model family and the decision threshold are all chosen on
 * the validation split; the chosen setting is refit on the whole train split; the holdout is only
 * ever scored, once, for the report.
 */
import {
  CHURN_ID_COLUMN,
  CHURN_LABEL_COLUMN,
  VigilError,
  explainChurn,
  predictProbability,
  readCategorical,
  validateChurnRow,
  type ChurnModelSpec,
  type ChurnRow,
} from '@vigil/common';
import {
  fitGbdtCandidate,
  fitLogisticCandidate,
  probabilities,
  type ChurnModelKind,
  type FittedCandidate,
  type LabelledRows,
  type SearchPoint,
} from './candidates';
import { fitEnsembleCandidate } from './ensemble';
import { binaryMetrics, bestF1Threshold, brierScore, type BinaryMetrics } from './metrics';
import { deriveSeed } from './random';
import { stratifiedSplit } from './split';

export interface ChurnTrainingOptions {
  /** Seeds every random choice (splits, row subsampling). Default 42. */
  seed?: number;
  /** Default 'auto': the candidate (logistic, gbdt or their ensemble) with the best validation ROC AUC. */
  kind?: 'auto' | ChurnModelKind;
  /** Fraction of all rows held out for the final report. Default 0.2. */
  holdoutFraction?: number;
  /** Fraction of the training rows used for model selection and early stopping. Default 0.2. */
  validationFraction?: number;
}

export interface FeatureImportance {
  feature: string;
  /** Mean |log-odds contribution| over the holdout rows (mean |SHAP| for trees). */
  meanAbsContribution: number;
}

export interface CandidateReport {
  kind: ChurnModelKind;
  hyperParameters: SearchPoint['hyperParameters'];
  rounds?: number;
  validationRocAuc: number;
  /** F1-maximising threshold on the validation split. */
  threshold: number;
  /** Reported for comparison; never used to choose anything. */
  holdout: BinaryMetrics;
  featureImportance: FeatureImportance[];
  trainingTimeMs: number;
}

export interface ChurnTrainingResult {
  spec: ChurnModelSpec;
  kind: ChurnModelKind;
  threshold: number;
  /** Holdout metrics of the chosen model at `threshold`. */
  metrics: BinaryMetrics;
  /** Always predicting the training majority class (accuracy) or the training prior (Brier). */
  baseline: { majorityClass: 'Yes' | 'No'; accuracy: number; brier: number; rocAuc: number };
  featureImportance: FeatureImportance[];
  hyperParameters: SearchPoint['hyperParameters'] & { rounds?: number };
  candidates: CandidateReport[];
  /** Every hyper-parameter setting tried, with its validation ROC AUC. */
  search: SearchPoint[];
  seed: number;
  split: { train: number; validation: number; holdout: number };
  trainingTimeMs: number;
  holdout: { customerIDs: string[] };
}

function labelsOf(rows: readonly ChurnRow[]): Float64Array {
  const problems: string[] = [];
  const labels = Float64Array.from(rows, (row, i) => {
    const label = row[CHURN_LABEL_COLUMN];
    if (label !== 'Yes' && label !== 'No') problems.push(`row ${i}: ${CHURN_LABEL_COLUMN} must be Yes or No`);
    for (const p of validateChurnRow(row)) problems.push(`row ${i}: ${p}`);
    return label === 'Yes' ? 1 : 0;
  });
  if (problems.length > 0) {
    throw new VigilError('VIGIL_UNPROCESSABLE', `${problems.length} problem(s) in the training rows`, {
      details: { errors: problems.slice(0, 20) },
    });
  }
  if (!labels.includes(0) || !labels.includes(1)) {
    throw new VigilError('VIGIL_UNPROCESSABLE', 'training rows need both churned and retained customers');
  }
  return labels;
}

function subset(rows: readonly ChurnRow[], labels: Float64Array, indices: readonly number[]): LabelledRows {
  return { rows: indices.map((i) => rows[i]), labels: Float64Array.from(indices, (i) => labels[i]) };
}

function featureImportance(spec: ChurnModelSpec, rows: readonly ChurnRow[]): FeatureImportance[] {
  const totals = new Map<string, number>();
  for (const row of rows) {
    for (const c of explainChurn(spec, row).contributions) {
      totals.set(c.feature, (totals.get(c.feature) ?? 0) + Math.abs(c.contribution) / rows.length);
    }
  }
  return [...totals]
    .map(([feature, meanAbsContribution]) => ({ feature, meanAbsContribution }))
    .sort((a, b) => b.meanAbsContribution - a.meanAbsContribution || (a.feature < b.feature ? -1 : 1));
}

function report(candidate: FittedCandidate, validation: LabelledRows, holdout: LabelledRows): CandidateReport {
  const { threshold } = bestF1Threshold(probabilities(candidate.validationLogits), validation.labels);
  const scores = Float64Array.from(holdout.rows, (row) => predictProbability(candidate.spec, row));
  return {
    kind: candidate.kind,
    hyperParameters: candidate.best.hyperParameters,
    rounds: candidate.best.rounds,
    validationRocAuc: candidate.best.validationRocAuc,
    threshold,
    holdout: binaryMetrics(scores, holdout.labels, threshold),
    featureImportance: featureImportance(candidate.spec, holdout.rows),
    trainingTimeMs: candidate.trainingTimeMs,
  };
}

export function trainChurnModel(rows: readonly ChurnRow[], options: ChurnTrainingOptions = {}): ChurnTrainingResult {
  const started = performance.now();
  const seed = options.seed ?? 42;
  const kind = options.kind ?? 'auto';
  const labels = labelsOf(rows);
  const all = Array.from({ length: rows.length }, (_, i) => i);
  const outer = stratifiedSplit(all, labels, options.holdoutFraction ?? 0.2, deriveSeed(seed, 0));
  const inner = stratifiedSplit(outer.train, labels, options.validationFraction ?? 0.2, deriveSeed(seed, 1));
  const train = subset(rows, labels, outer.train);
  const fit = subset(rows, labels, inner.train);
  const validation = subset(rows, labels, inner.test);
  const holdout = subset(rows, labels, outer.test);

  // An ensemble needs both families; each forced family is fitted alone.
  const fitted: FittedCandidate[] = [];
  if (kind !== 'gbdt') fitted.push(fitLogisticCandidate(fit, validation, train));
  if (kind !== 'logistic') fitted.push(fitGbdtCandidate(fit, validation, train, deriveSeed(seed, 2)));
  if (kind === 'auto' || kind === 'ensemble') fitted.push(fitEnsembleCandidate(fitted[0], fitted[1], validation));
  const candidates = fitted.map((c) => report(c, validation, holdout));
  // Strictly better validation AUC wins; on a tie the simpler (listed earlier) model stays.
  const chosen =
    kind === 'auto'
      ? candidates.reduce((best, c) => (c.validationRocAuc > best.validationRocAuc ? c : best))
      : candidates.find((c) => c.kind === kind)!;
  const chosenFit = fitted[candidates.indexOf(chosen)];

  const trainPositives = train.labels.reduce((s, v) => s + v, 0);
  const prior = trainPositives / train.labels.length;
  const majority = prior > 0.5 ? 1 : 0;
  const baseline = {
    majorityClass: majority === 1 ? ('Yes' as const) : ('No' as const),
    accuracy: holdout.labels.filter((y) => y === majority).length / holdout.labels.length,
    brier: brierScore(new Float64Array(holdout.labels.length).fill(prior), holdout.labels),
    rocAuc: 0.5,
  };

  return {
    spec: chosenFit.spec,
    kind: chosen.kind,
    threshold: chosen.threshold,
    metrics: chosen.holdout,
    baseline,
    featureImportance: chosen.featureImportance,
    hyperParameters: { ...chosen.hyperParameters, ...(chosen.rounds === undefined ? {} : { rounds: chosen.rounds }) },
    candidates,
    search: fitted.flatMap((c) => c.search),
    seed,
    split: { train: fit.rows.length, validation: validation.rows.length, holdout: holdout.rows.length },
    trainingTimeMs: performance.now() - started,
    holdout: { customerIDs: holdout.rows.map((row) => readCategorical(row[CHURN_ID_COLUMN])) },
  };
}

import type { Prediction } from './ports';

/** The models monitoring knows by name; any other model is read with the generic vocabulary below. */
export const CHURN_MODEL = 'churn';

interface Classes {
  /** Names of the positive class first, as they appear in labels and outputs (normalised). */
  positive: readonly string[];
  negative: readonly string[];
}

/**
 * Which labels mean the model's positive class. For the pneumonia model any pneumonia (bacterial,
 * viral or unspecified) is positive; the type model only runs on pneumonia and answers bacterial
 * (positive) or viral, so "normal" or an unspecified "pneumonia" says nothing about it.
 */
const CLASSES: Record<string, Classes> = {
  [CHURN_MODEL]: { positive: ['churn', 'true', 'yes', 'churned', '1'], negative: ['no-churn', 'false', 'no', 'not-churned', '0'] },
  'xray-pneumonia': { positive: ['pneumonia', 'bacterial', 'viral', 'true'], negative: ['normal', 'false'] },
  'xray-type': { positive: ['bacterial'], negative: ['viral'] },
};
const GENERIC: Classes = { positive: ['positive', 'true', 'yes', '1'], negative: ['negative', 'false', 'no', '0'] };

const classesOf = (modelName: string) => CLASSES[modelName] ?? GENERIC;
/** "PNEUMONIA", " No Churn", "no_churn" → "pneumonia", "no-churn", "no-churn". */
const normalise = (label: string | boolean) => String(label).trim().toLowerCase().replace(/[\s_]+/g, '-');

/** The label in the model's terms: true = positive class, false = negative, null = means nothing to this model. */
export function labelIsPositive(modelName: string, label: string | boolean): boolean | null {
  const name = normalise(label);
  const classes = classesOf(modelName);
  if (classes.positive.includes(name)) return true;
  if (classes.negative.includes(name)) return false;
  return null;
}

/** What the classes of a model are called, for messages. */
export function describeClasses(modelName: string): string {
  const c = classesOf(modelName);
  return `positive: ${c.positive.join(', ')}; negative: ${c.negative.join(', ')}`;
}

export interface PredictionEvent {
  predictionId: string;
  modelName: string;
  modelVersion: string;
  score: number;
  label: string;
  output: Record<string, unknown>;
  entityId: string | null;
  createdAt: Date;
}

/**
 * Reads what a PredictionMade says the model answered, as positive-class probability and decision.
 * Inference's events differ per model: churn carries `output.churn` and the churn probability; the
 * pneumonia model `output.positive` and the pneumonia probability; the type model `output.label`
 * with the probability *of that label*, so a "viral" answer with 0.8 is P(bacterial) = 0.2.
 * Anything else falls back to `score >= 0.5`.
 */
export function interpretPrediction(e: PredictionEvent): Prediction {
  const base = { predictionId: e.predictionId, modelName: e.modelName, modelVersion: e.modelVersion, entityId: e.entityId, createdAt: e.createdAt };
  const classes = classesOf(e.modelName);
  const named = (positive: boolean) => e.label || (positive ? classes.positive[0] : classes.negative[0]);
  // A regression answers a value, no class: nothing is "positive" (its quality is MAE, RMSE, R²).
  if (typeof e.output.value === 'number') return { ...base, score: e.score, positive: false, label: '' };
  if (typeof e.output.churn === 'boolean') return { ...base, score: e.score, positive: e.output.churn, label: named(e.output.churn) };
  if (typeof e.output.positive === 'boolean') return { ...base, score: e.score, positive: e.output.positive, label: named(e.output.positive) };
  if (typeof e.output.label === 'string') {
    const positive = labelIsPositive(e.modelName, e.output.label);
    if (positive !== null) return { ...base, score: positive ? e.score : 1 - e.score, positive, label: e.output.label };
  }
  const positive = e.score >= 0.5;
  return { ...base, score: e.score, positive, label: named(positive) };
}

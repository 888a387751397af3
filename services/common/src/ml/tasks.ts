/**
 * The registry of model tasks: what a version *is*, never what it is called, decides how its raw
 * outputs become an answer and which labels its feedback may carry (KServe's model classes and
 * Triton's backends choose by config the same way). Inference, training and monitoring ask here.
 */
export const MODEL_TASKS = ['binary-classification', 'multiclass-classification', 'regression'] as const;
export type ModelTask = (typeof MODEL_TASKS)[number];
export type ClassLabel = string | number;

/** The task part of a version's config.json. */
export interface TaskConfig {
  task: ModelTask;
  /** Classifiers: labels in the order of the probability columns. */
  classes?: ClassLabel[];
  /** Binary: the class whose probability is the score (default: the second class). */
  positiveClass?: ClassLabel;
  /** Binary: the positive class is answered when its probability is at least this. */
  threshold?: number;
  confidenceBand?: { low: number; high: number };
  /** Which graph output holds what (resolved at registration). */
  outputRoles?: { label?: string; probabilities?: string; value?: string };
}

export const isModelTask = (value: unknown): value is ModelTask => (MODEL_TASKS as readonly unknown[]).includes(value);
export const isClassifier = (task: ModelTask) => task !== 'regression';

/** The answer for one row: `{label, probabilities, score}` for a classifier, `{value}` for a regression. */
export interface TaskAnswer {
  label?: ClassLabel;
  probabilities?: Record<string, number>;
  /** Binary: probability of the positive class; multiclass: of the answered class. What monitoring stores as the score. */
  score?: number;
  positive?: boolean;
  value?: number;
  lowConfidence?: boolean;
}

/**
 * Row i of the designated outputs → the answer. Probabilities decide the label (argmax, or the
 * threshold for binary), so the answer never disagrees with the numbers it shows; a graph label
 * output is used only when there are no probabilities.
 */
export function answerFor(config: TaskConfig, row: { probabilities?: number[]; label?: unknown; value?: unknown }): TaskAnswer {
  if (config.task === 'regression') return { value: Number(row.value), score: Number(row.value) };
  const classes = config.classes ?? [];
  if (!row.probabilities) return { label: row.label as ClassLabel };
  const probabilities = Object.fromEntries(classes.map((c, k) => [String(c), row.probabilities![k]]));
  if (config.task === 'binary-classification') {
    const positive = config.positiveClass ?? classes[1];
    const k = classes.findIndex((c) => String(c) === String(positive));
    const p = row.probabilities[k];
    const isPositive = p >= (config.threshold ?? 0.5);
    const band = config.confidenceBand;
    return {
      label: isPositive ? classes[k] : classes[1 - k],
      probabilities,
      score: p,
      positive: isPositive,
      ...(band ? { lowConfidence: p >= band.low && p <= band.high } : {}),
    };
  }
  let best = 0;
  for (let k = 1; k < row.probabilities.length; k++) if (row.probabilities[k] > row.probabilities[best]) best = k;
  return { label: classes[best], probabilities, score: row.probabilities[best] };
}

/** Whether a feedback label fits the task: one of the classes, or a finite number for a regression. */
export function labelFits(config: TaskConfig, label: unknown): boolean {
  if (config.task === 'regression') return typeof label === 'number' ? Number.isFinite(label) : typeof label === 'string' && label.trim() !== '' && Number.isFinite(Number(label));
  return (config.classes ?? []).some((c) => String(c) === String(label));
}

import { labelFits, multiclassMetrics, regressionMetrics, type MulticlassMetrics, type RegressionMetrics } from '@vigil/common';
import { describeClasses, labelIsPositive } from './model-classes';
import type { LabelledPair, LabelTarget, TaskConfigs, VersionTask } from './ports';

export type TaskMetrics = ({ task: 'multiclass-classification' } & MulticlassMetrics) | ({ task: 'regression' } & RegressionMetrics);

/**
 * Multiclass and regression quality of one version from its labelled pairs; binary versions keep
 * the confusion-count path of quality.ts. Null for a version whose task has no such metrics.
 */
export function taskMetricsOf(task: VersionTask | null, pairs: readonly LabelledPair[]): TaskMetrics | null {
  if (!task?.answersByTask) return null;
  if (task.task === 'multiclass-classification') {
    const classes = (task.classes ?? []).map(String);
    return { task: task.task, ...multiclassMetrics(pairs.map((p) => ({ predicted: p.predictedLabel, actual: p.actualLabel })), classes) };
  }
  if (task.task === 'regression') {
    const numeric = pairs.map((p) => ({ predicted: p.score, actual: Number(p.actualLabel) })).filter((p) => Number.isFinite(p.actual));
    return { task: task.task, ...regressionMetrics(numeric) };
  }
  return null;
}

/** The label in a task-answering version's terms: `fits` (one of its classes, or a number), and for binary whether it is the positive class. */
export function taskLabel(task: VersionTask, label: unknown): { fits: boolean; label: string; positive: boolean | null } {
  const fits = labelFits(task, label);
  // A regression's label is stored as its number ("2e3" → "2000"), so pairs compare numerically.
  const text = task.task === 'regression' && fits ? String(Number(label)) : String(label);
  return { fits, label: text, positive: fits && task.task === 'binary-classification' ? text === String(task.positiveClass) : null };
}

export function describeTask(task: VersionTask): string {
  return task.task === 'regression' ? 'a number' : `one of ${JSON.stringify(task.classes ?? [])}`;
}

/**
 * A label in the terms of the prediction's version: its classes (or a number) when it answers by
 * task, else the vocabulary of the built-in models.
 */
export async function labelMeaning(target: Pick<LabelTarget, 'modelName' | 'modelVersion'>, label: boolean | string | number, tasks: TaskConfigs) {
  const task = await tasks.get(target.modelName, target.modelVersion);
  if (task?.answersByTask) {
    const meaning = taskLabel(task, label);
    return { ...meaning, expected: describeTask(task) };
  }
  const positive = typeof label === 'number' ? null : labelIsPositive(target.modelName, label);
  return { fits: positive !== null, label: String(label), positive, expected: describeClasses(target.modelName) };
}


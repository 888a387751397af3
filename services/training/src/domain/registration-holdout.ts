import { labelFits, VigilError, type TaskConfig } from '@vigil/common';
import { rocAuc } from './churn/metrics';
import type { ModelInspector, ModelVersion, TensorSignature, VersionFiles } from './ports';
import { readReferenceCsv } from './registration-reference';

/** The file a registered version keeps its holdout in, beside model.onnx. */
export const HOLDOUT_FILE = 'holdout.csv';
export const LABEL_COLUMN = 'label';

/** What the promotion gate compares: higher is better for each. */
export interface HoldoutScore {
  metric: 'roc_auc' | 'accuracy' | 'r2';
  value: number;
  rows: number;
}

const refuse = (message: string) => new VigilError('VIGIL_UNPROCESSABLE', message, { details: { reason: 'invalid-holdout' } });

/** The holdout's rows as feeds, and its labels checked against the task. */
export function readHoldout(text: string, inputs: TensorSignature[], config: TaskConfig) {
  const { records, feeds } = readReferenceCsv(text, inputs, 'holdout');
  if (!(LABEL_COLUMN in records[0])) throw refuse(`The holdout has no "${LABEL_COLUMN}" column (the true label of each row)`);
  const bad = records.findIndex((r) => !labelFits(config, r[LABEL_COLUMN]));
  if (bad >= 0) {
    throw refuse(`Holdout row ${bad + 1}: label "${records[bad][LABEL_COLUMN]}" is not ${config.task === 'regression' ? 'a number' : `one of ${JSON.stringify(config.classes)}`}`);
  }
  return { feeds, labels: records.map((r) => r[LABEL_COLUMN]) };
}

/** ROC AUC (binary), accuracy (multiclass) or R² (regression) of a model's outputs on the holdout labels. */
export function scoreOn(outputs: Record<string, { shape: number[]; data: unknown[] }>, labels: string[], config: TaskConfig): HoldoutScore {
  const roles = config.outputs ?? {};
  if (config.task === 'regression') {
    const predicted = outputs[roles.value!].data.map(Number);
    const actual = labels.map(Number);
    const mean = actual.reduce((a, b) => a + b, 0) / actual.length;
    const total = actual.reduce((a, y) => a + (y - mean) ** 2, 0);
    const residual = actual.reduce((a, y, i) => a + (y - predicted[i]) ** 2, 0);
    return { metric: 'r2', value: total > 0 ? 1 - residual / total : 0, rows: labels.length };
  }
  const probs = outputs[roles.probabilities!];
  const k = probs.shape[probs.shape.length - 1];
  const classes = (config.classes ?? []).map(String);
  const row = (i: number) => probs.data.slice(i * k, (i + 1) * k).map(Number);
  if (config.task === 'binary-classification') {
    const positive = classes.indexOf(String(config.positiveClass ?? classes[1]));
    const scores = labels.map((_, i) => row(i)[positive]);
    const truth = labels.map((l) => (l === classes[positive] ? 1 : 0));
    return { metric: 'roc_auc', value: rocAuc(scores, truth), rows: labels.length };
  }
  const correct = labels.filter((l, i) => {
    const p = row(i);
    return classes[p.indexOf(Math.max(...p))] === l;
  }).length;
  return { metric: 'accuracy', value: correct / labels.length, rows: labels.length };
}

/** Runs a served model on a holdout and scores it. */
export async function evaluateOnHoldout(served: Uint8Array, text: string, inputs: TensorSignature[], config: TaskConfig, inspector: ModelInspector): Promise<HoldoutScore> {
  const { feeds, labels } = readHoldout(text, inputs, config);
  return scoreOn(await inspector.run(served, feeds), labels, config);
}

/** Candidate and live version scored on the candidate's holdout, for the promotion gate. */
export async function compareRegistered(
  candidate: ModelVersion,
  live: ModelVersion,
  deps: { files: VersionFiles; inspector: ModelInspector },
): Promise<{ metric: HoldoutScore['metric']; rows: number; candidate: number; live: number }> {
  const text = Buffer.from(await deps.files.read(candidate.name, candidate.version, candidate.config.holdoutFile!)).toString('utf8');
  const score = async (v: ModelVersion) => evaluateOnHoldout(
    await deps.files.read(v.name, v.version, 'model.onnx'), text, v.config.inputs as TensorSignature[],
    { task: v.config.task!, classes: v.config.classes, positiveClass: v.config.positiveClass, outputs: v.config.outputRoles }, deps.inspector,
  );
  const [c, l] = [await score(candidate), await score(live)];
  return { metric: c.metric, rows: c.rows, candidate: c.value, live: l.value };
}

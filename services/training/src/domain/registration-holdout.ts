import { labelFits, multiclassMetrics, regressionMetrics, VigilError, type TaskConfig } from '@vigil/common';
import { rocAuc } from './churn/metrics';
import type { ModelInspector, ModelSession, ModelVersion, Outputs, TensorSignature, VersionFiles } from './ports';
import { answersOf } from './registration-outputs';
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
export function scoreOn(outputs: Outputs, labels: string[], config: TaskConfig): HoldoutScore {
  const answers = answersOf(outputs, config);
  const rows = labels.length;
  if (config.task === 'regression') {
    const { r2 } = regressionMetrics(answers.map((a, i) => ({ predicted: a.value!, actual: Number(labels[i]) })));
    return { metric: 'r2', value: r2 ?? 0, rows };
  }
  if (config.task === 'binary-classification') {
    const positive = String(config.positiveClass ?? config.classes![1]);
    return { metric: 'roc_auc', value: rocAuc(answers.map((a) => a.score!), labels.map((l) => (l === positive ? 1 : 0))), rows };
  }
  const { accuracy } = multiclassMetrics(answers.map((a, i) => ({ predicted: String(a.label), actual: labels[i] })), (config.classes ?? []).map(String));
  return { metric: 'accuracy', value: accuracy ?? 0, rows };
}

/** Runs an open session on a holdout and scores it. */
export async function evaluateOnHoldout(text: string, inputs: TensorSignature[], config: TaskConfig, session: ModelSession): Promise<HoldoutScore> {
  const { feeds, labels } = readHoldout(text, inputs, config);
  return scoreOn(await session.run(feeds), labels, config);
}

/** Candidate and live version scored on the candidate's holdout, for the promotion gate. */
export async function compareRegistered(
  candidate: ModelVersion,
  live: ModelVersion,
  deps: { files: VersionFiles; inspector: ModelInspector },
): Promise<{ metric: HoldoutScore['metric']; rows: number; candidate: number; live: number }> {
  const text = Buffer.from(await deps.files.read(candidate.name, candidate.version, candidate.config.holdoutFile!)).toString('utf8');
  const score = async (v: ModelVersion) => {
    const session = await deps.inspector.open(await deps.files.read(v.name, v.version, 'model.onnx'));
    try {
      return await evaluateOnHoldout(text, v.config.inputs as TensorSignature[], { ...v.config, task: v.config.task! }, session);
    } finally {
      await session.release();
    }
  };
  const [c, l] = [await score(candidate), await score(live)];
  return { metric: c.metric, rows: c.rows, candidate: c.value, live: l.value };
}

import { VigilError } from '@vigil/common';
import type { ModelConfig, ModelRef, Tensor, TensorSpec } from './ports';
import { acquire, MAX_BATCH, runInference, type InferenceDeps } from './run-inference';

const MAX_ERRORS = 50;

export interface InstancePrediction {
  predictionId: string;
  label?: string | number;
  probabilities?: Record<string, number>;
  value?: number;
}

/** The scope that lets a client run a registered model: its own, or the wildcard. */
export const predictScopes = (name: string) => [`predict:${name}`, 'predict:*'];

function cell(spec: TensorSpec, value: unknown): { ok: true; value: string | number | boolean | null } | { ok: false; problem: string } {
  switch (spec.datatype) {
    case 'BYTES':
      return typeof value === 'string' ? { ok: true, value } : { ok: false, problem: 'must be a string' };
    case 'BOOL':
      return typeof value === 'boolean' ? { ok: true, value } : { ok: false, problem: 'must be true or false' };
    case 'INT64':
    case 'INT32':
      return typeof value === 'number' && Number.isSafeInteger(value) ? { ok: true, value } : { ok: false, problem: 'must be an integer' };
    default:
      // null is a missing value: NaN to the graph, which an exported Imputer fills.
      return value === null || (typeof value === 'number' && Number.isFinite(value)) ? { ok: true, value } : { ok: false, problem: 'must be a finite number or null' };
  }
}

/**
 * Instances (KServe V1 / MLflow records: one object per row, keyed by graph input name; a row may
 * also be a plain array when the model has one input) → one tensor per input, [N, ...dims].
 */
function toTensors(config: ModelConfig, instances: unknown[]): Tensor[] {
  const errors: { row: number; feature?: string; problem: string }[] = [];
  const columns = config.inputs.map((spec) => ({ spec, width: spec.shape.slice(1).reduce((a, b) => a * (b === -1 ? 1 : b), 1), data: [] as Tensor['data'] }));
  const names = new Set(config.inputs.map((s) => s.name));
  instances.forEach((instance, i) => {
    const row = i + 1;
    const record = Array.isArray(instance) && config.inputs.length === 1 ? { [config.inputs[0].name]: instance } : instance;
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      errors.push({ row, problem: `must be an object keyed by input name (${[...names].join(', ')})` });
      return;
    }
    for (const extra of Object.keys(record).filter((k) => !names.has(k))) errors.push({ row, feature: extra, problem: 'is not an input of the model' });
    for (const c of columns) {
      const raw = (record as Record<string, unknown>)[c.spec.name];
      if (raw === undefined) {
        errors.push({ row, feature: c.spec.name, problem: 'missing' });
        continue;
      }
      const values = c.width === 1 && !Array.isArray(raw) ? [raw] : raw;
      if (!Array.isArray(values) || values.length !== c.width) {
        errors.push({ row, feature: c.spec.name, problem: `must be ${c.width === 1 ? 'one value' : `an array of ${c.width} values`}` });
        continue;
      }
      for (const v of values) {
        const checked = cell(c.spec, v);
        if (checked.ok) c.data.push(checked.value);
        else errors.push({ row, feature: c.spec.name, problem: checked.problem });
      }
    }
  });
  if (errors.length) {
    throw new VigilError('VIGIL_UNPROCESSABLE', `${errors.length} problem(s) in the instances (rows are numbered from 1)`, {
      details: { errors: errors.slice(0, MAX_ERRORS), errorCount: errors.length },
    });
  }
  return columns.map((c) => ({ name: c.spec.name, datatype: c.spec.datatype, shape: [instances.length, ...c.spec.shape.slice(1).map((d) => (d === -1 ? 1 : d))], data: c.data }));
}

/**
 * POST /v1/models/{name}/predict: any model that declares its task, rows in, audited answers out
 * (the same runInference as every other endpoint: nothing returned before its audit row commits).
 */
export async function predictInstances(
  req: { modelName: string; version?: number; instances: unknown[]; requestId: string; clientName: string },
  deps: InferenceDeps,
): Promise<{ model: ModelRef; predictions: InstancePrediction[] }> {
  if (req.instances.length < 1 || req.instances.length > MAX_BATCH) throw new VigilError('VIGIL_VALIDATION', `Send 1 to ${MAX_BATCH} instances`);
  if (req.version === undefined && !deps.live.get(req.modelName)) throw new VigilError('VIGIL_NOT_FOUND', `Model ${req.modelName} is not being served (no live version)`);
  // The version's own inputs shape the rows; held until the run is done, so it stays loaded.
  const lease = await acquire(req, deps);
  let result;
  try {
    const { config } = lease.model;
    // A pipeline's versions (churn, X-ray) answer in their own terms (explanations, the two-stage
    // chain) on their own routes; this one serves versions whose outputs say which is which.
    if (!config.task || !config.outputRoles) {
      throw new VigilError('VIGIL_NOT_FOUND', `Model ${req.modelName} is served by its own endpoint and OIP V2, not by instances`);
    }
    const inputs = toTensors(config, req.instances);
    result = await runInference({ modelName: req.modelName, version: lease.model.ref.version, inputs, requestId: req.requestId, clientName: req.clientName }, deps);
  } finally {
    lease.release();
  }
  return {
    model: result.model,
    predictions: result.predictions.map((p) => {
      const { label, probabilities, value } = p.output as Omit<InstancePrediction, 'predictionId'>;
      return { predictionId: p.id, ...(value !== undefined ? { value } : { label, probabilities }) };
    }),
  };
}

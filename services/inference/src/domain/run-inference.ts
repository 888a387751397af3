import { createHash } from 'node:crypto';
import { VigilError } from '@vigil/common';
import type { Lease, LiveModels } from './live-models';
import type { StoredVersions } from './stored-versions';
import type { ModelRef, PredictionRecord, PredictionStore, Tensor } from './ports';
import { postprocessRow } from './postprocess';
import { checkInputs, rowOf } from './tensors';

export const MAX_BATCH = 1000;
/** Business ids are indexed in the audit (a btree entry holds at most ~2.7 kB). */
export const MAX_ENTITY_ID = 200;

export interface InferenceRequest {
  modelName: string;
  /** When given, must be the live version: only live versions are served. */
  version?: number;
  inputs: Tensor[];
  requestId: string;
  clientName: string;
  /** Business id of each row (e.g. customerID), kept in the audit trail. */
  entityIds?: (string | null)[];
}

export interface InferenceResult {
  model: ModelRef;
  outputs: Tensor[];
  predictions: PredictionRecord[];
  timings: { queueMs: number; computeMs: number; postMs: number; auditMs: number };
}

export interface InferenceObserver {
  success(model: ModelRef, rows: number, timings: InferenceResult['timings']): void;
  failure(modelName: string, reason: string): void;
}

export interface InferenceDeps {
  observer?: InferenceObserver;
  live: LiveModels;
  /** Versions asked for by number that are not live; without it only the live version is served. */
  stored?: StoredVersions;
  store: PredictionStore;
  newId: () => string;
  now: () => Date;
}

/** SHA-256 of a row's inputs in a canonical form (sorted keys), so equal inputs hash equal. */
export function inputHash(row: Record<string, unknown>): string {
  const canonical = JSON.stringify(Object.keys(row).sort().map((k) => [k, row[k]]));
  return createHash('sha256').update(canonical).digest('hex');
}

/** True when every number in an output (nested in arrays and objects) is finite. */
function allFinite(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(allFinite);
  if (value && typeof value === 'object') return Object.values(value).every(allFinite);
  return true;
}

/** The live version, or the version asked for (loaded on demand when it is not the live one). */
export async function acquire(req: Pick<InferenceRequest, 'modelName' | 'version'>, deps: Pick<InferenceDeps, 'live' | 'stored'>): Promise<Lease> {
  const lease = deps.live.acquire(req.modelName);
  if (req.version === undefined || lease?.model.ref.version === req.version) {
    if (!lease) throw new VigilError('VIGIL_MODEL_NOT_READY', `Model ${req.modelName} has no live version loaded`);
    return lease;
  }
  lease?.release();
  if (!deps.stored) throw new VigilError('VIGIL_NOT_FOUND', `Version ${req.version} of ${req.modelName} is not live`);
  return deps.stored.acquire(req.modelName, req.version);
}

/**
 * The one inference path behind every endpoint: lookup → ready → check inputs → execute →
 * post-process → audit. Nothing is returned unless its audit rows (and prediction-made events)
 * are committed; if that write fails the caller gets VIGIL_UNAVAILABLE (503) and no prediction.
 */
export async function runInference(req: InferenceRequest, deps: InferenceDeps): Promise<InferenceResult> {
  try {
    const result = await infer(req, deps);
    deps.observer?.success(result.model, result.predictions.length, result.timings);
    return result;
  } catch (err) {
    deps.observer?.failure(req.modelName, (err as { code?: string }).code ?? 'VIGIL_INTERNAL');
    throw err;
  }
}

async function infer(req: InferenceRequest, deps: InferenceDeps): Promise<InferenceResult> {
  const started = performance.now();
  const lease = await acquire(req, deps);
  try {
    const { model } = lease;
    const { tensors, batch } = checkInputs(model.config, req.inputs, MAX_BATCH);
    const longId = req.entityIds?.findIndex((id) => typeof id === 'string' && id.length > MAX_ENTITY_ID) ?? -1;
    if (longId >= 0) throw new VigilError('VIGIL_VALIDATION', `Row ${longId + 1}: the id is longer than ${MAX_ENTITY_ID} characters`);
    const t0 = performance.now();
    const exec = { queueMs: 0, computeMs: 0 };
    const outputs = await model.execute(tensors, exec);
    const t1 = performance.now();
    const createdAt = deps.now();
    const latencyMs = t1 - started;
    const predictions: PredictionRecord[] = [];
    for (let i = 0; i < batch; i++) {
      const input = rowOf(tensors, i);
      predictions.push({
        id: deps.newId(),
        createdAt,
        requestId: req.requestId,
        clientName: req.clientName,
        model: model.ref,
        entityId: req.entityIds?.[i] ?? null,
        inputSha256: inputHash(input),
        input,
        output: postprocessRow(model.config, input, outputs, i),
        latencyMs,
      });
    }
    const bad = predictions.findIndex((p) => !allFinite(p.output));
    if (bad >= 0) {
      // Nothing is audited or returned: an answer the client can't use must not enter the trail.
      throw new VigilError('VIGIL_UNPROCESSABLE', `The model produced a non-finite output for row ${bad + 1}; check the magnitudes of its inputs`);
    }
    const t2 = performance.now();
    try {
      await deps.store.save(predictions);
    } catch (err) {
      throw new VigilError('VIGIL_UNAVAILABLE', 'The prediction could not be audited, so it is not returned', { cause: err });
    }
    return {
      model: model.ref,
      outputs,
      predictions,
      // Waiting for a dynamic batch to fill is queue time, as Triton counts it, not compute.
      timings: { queueMs: t0 - started + exec.queueMs, computeMs: t1 - t0 - exec.queueMs, postMs: t2 - t1, auditMs: performance.now() - t2 },
    };
  } finally {
    lease.release();
  }
}

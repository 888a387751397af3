import { isDeepStrictEqual } from 'node:util';
import { VigilError } from '@vigil/common';
import type { ImageCodec, ImageStore } from './image-ports';
import type { LiveModels } from './live-models';
import type { LoadedModel, ModelRef, ModelRuntime, ModelSource, PredictionRecord, PredictionStore, Tensor } from './ports';
import { postprocessRow } from './postprocess';

export interface ReplayDeps {
  store: PredictionStore;
  source: ModelSource;
  runtime: ModelRuntime;
  live: LiveModels;
  codec: ImageCodec;
  images: ImageStore;
}

export interface ReplayedModel {
  model: ModelRef;
  original: unknown;
  replayed: unknown;
  identical: boolean;
}

export interface ReplayResult {
  predictionId: string;
  identical: boolean;
  models: ReplayedModel[];
}

/**
 * Runs `fn` on exactly the version `ref` (name, version and sha256): the live one if it is that
 * version, otherwise loaded from the repository for this replay and unloaded after, so any old
 * version stays replayable without being served.
 */
async function withVersion<T>(ref: ModelRef, deps: ReplayDeps, fn: (m: LoadedModel) => Promise<T>): Promise<T> {
  const lease = deps.live.acquire(ref.name);
  if (lease && lease.model.ref.version === ref.version && lease.model.ref.sha256 === ref.sha256) {
    try {
      return await fn(lease.model);
    } finally {
      lease.release();
    }
  }
  lease?.release();
  let artifact;
  try {
    artifact = await deps.source.artifact(ref);
  } catch (err) {
    throw new VigilError('VIGIL_UNPROCESSABLE', `Version ${ref.version} of ${ref.name} (sha256 ${ref.sha256}) cannot be loaded for replay`, { cause: err });
  }
  const model = await deps.runtime.load(ref, artifact.onnx, artifact.config, artifact.files);
  try {
    return await fn(model);
  } finally {
    await deps.runtime.unload(model);
  }
}

async function replayImage(record: PredictionRecord, deps: ReplayDeps): Promise<ReplayedModel[]> {
  const storedSha = String(record.input.storedSha256 ?? record.imageSha256);
  const bytes = await deps.images.get(storedSha);
  if (!bytes) throw new VigilError('VIGIL_UNPROCESSABLE', `The image of prediction ${record.id} (${storedSha}) is not in the image store`);
  const image = await deps.codec.decode(bytes);
  const probabilityOf = async (m: LoadedModel) => {
    if (!m.embed) throw new VigilError('VIGIL_UNPROCESSABLE', `${m.ref.name} v${m.ref.version} is not an image model`);
    const embedding = await m.embed(await deps.codec.preprocess(image, m.config.preprocess), 1);
    const [out] = await m.execute([{ name: 'embedding', datatype: 'FP32', shape: [1, embedding.length], data: Array.from(embedding) }]);
    return Number(out.data[0]);
  };
  const results: ReplayedModel[] = [];
  const original = record.output.probability;
  const replayed = await withVersion(record.model, deps, probabilityOf);
  results.push({ model: record.model, original, replayed, identical: original === replayed });
  const type = record.output.type as { model: ModelRef; probability: number; label: string } | null | undefined;
  if (type) {
    // The same decision rule as predict-xray: the version's own threshold and label names.
    const again = await withVersion(type.model, deps, async (m) => {
      const p = await probabilityOf(m);
      const labels = m.config.labels ?? { positive: 'bacterial', negative: 'viral' };
      return p >= m.config.threshold ? { label: labels.positive, probability: p } : { label: labels.negative, probability: 1 - p };
    });
    const before = { label: type.label, probability: type.probability };
    results.push({ model: type.model, original: before, replayed: again, identical: isDeepStrictEqual(before, again) });
  }
  return results;
}

async function replayRow(record: PredictionRecord, deps: ReplayDeps): Promise<ReplayedModel[]> {
  const replayed = await withVersion(record.model, deps, async (m) => {
    const tensors: Tensor[] = m.config.inputs.map((spec) => {
      const v = record.input[spec.name];
      const values = Array.isArray(v) ? v : [v];
      return { name: spec.name, datatype: spec.datatype, shape: [1, ...spec.shape.slice(1).map((d) => (d === -1 ? values.length : d))], data: values };
    });
    const outputs = await m.execute(tensors);
    return postprocessRow(m.config, record.input, outputs, 0);
  });
  return [{ model: record.model, original: record.output, replayed, identical: isDeepStrictEqual(record.output, replayed) }];
}

/**
 * POST /v1/audit/predictions/{id}/replay: re-runs a stored prediction's input (the stored image,
 * or the stored row) on the model versions that served it, and says whether the outputs are
 * bit-for-bit identical — evidence that the audit trail describes what the model really does.
 */
export async function replayPrediction(predictionId: string, deps: ReplayDeps): Promise<ReplayResult> {
  const record = await deps.store.get(predictionId);
  if (!record) throw new VigilError('VIGIL_NOT_FOUND', `No prediction ${predictionId}`);
  if (record.input.pneumoniaPredictionId) {
    throw new VigilError('VIGIL_UNPROCESSABLE', `Prediction ${predictionId} is the second stage of ${String(record.input.pneumoniaPredictionId)}; replay that one`);
  }
  const models = record.imageSha256 ? await replayImage(record, deps) : await replayRow(record, deps);
  return { predictionId, identical: models.every((m) => m.identical), models };
}

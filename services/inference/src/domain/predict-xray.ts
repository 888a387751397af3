import { imageStats, VigilError } from '@vigil/common';
import type { DecodedImage, ImageCodec, ImageStore } from './image-ports';
import type { Lease, LiveModels } from './live-models';
import type { ExecTimings, LoadedModel, ModelRef, PredictionAlert, PredictionRecord, PredictionStore } from './ports';
import type { InferenceObserver } from './run-inference';

export const XRAY_MODELS = { pneumonia: 'xray-pneumonia', type: 'xray-type' } as const;

export interface XrayRequest {
  image: Uint8Array;
  accessionNumber?: string;
  patientRef?: string;
  requestId: string;
  clientName: string;
  /**
   * Set when the image came through ingestion (POST /v1/xray/studies, STOW-RS): the bytes are
   * already de-identified and stored, and the audit keeps the hash of the bytes ingestion received.
   */
  stored?: { studyId: string; receivedSha256: string };
}

export interface XrayDeps {
  live: LiveModels;
  store: PredictionStore;
  codec: ImageCodec;
  images: ImageStore;
  newId: () => string;
  now: () => Date;
  observer?: InferenceObserver;
}

export interface XrayPrediction {
  predictionId: string;
  imageSha256: string;
  pneumonia: { probability: number; positive: boolean; threshold: number; model: ModelRef };
  type?: { label: string; probability: number; model: ModelRef };
  confidence: 'high' | 'low';
  alert: boolean;
}

function lease(live: LiveModels, name: string): Lease {
  const l = live.acquire(name);
  if (!l) throw new VigilError('VIGIL_MODEL_NOT_READY', `Model ${name} has no live version loaded`);
  if (!l.model.embed || !l.model.config.backbone) {
    l.release();
    throw new VigilError('VIGIL_INTERNAL', `Live version of ${name} is not an image model`);
  }
  return l;
}

const inBand = (p: number, band?: { low: number; high: number }) => Boolean(band && p >= band.low && p <= band.high);

/** Runs the head of an image model on one embedding; returns the positive-class probability. */
async function head(model: LoadedModel, embedding: Float32Array, exec: ExecTimings): Promise<number> {
  const [out] = await model.execute([{ name: 'embedding', datatype: 'FP32', shape: [1, embedding.length], data: Array.from(embedding) }], exec);
  return Number(out.data[0]);
}

/** The embedding of an image for a model, reusing one already computed with the same backbone and preprocessing. */
async function embedFor(
  model: LoadedModel, image: DecodedImage, codec: ImageCodec, cache: Map<string, Float32Array>, exec: ExecTimings,
): Promise<Float32Array> {
  const key = `${model.config.backbone!.sha256}:${JSON.stringify(model.config.preprocess)}`;
  let e = cache.get(key);
  if (!e) {
    e = await model.embed!(await codec.preprocess(image, model.config.preprocess), 1, exec);
    cache.set(key, e);
  }
  return e;
}

/**
 * POST /v1/xray/predict: one image in, an audited two-stage answer out. xray-pneumonia decides
 * pneumonia vs normal at its recall-tuned threshold; only a positive goes on to xray-type
 * (bacterial vs viral). A score inside a model's confidence band makes the result "low" and
 * raises an alert for a clinician, committed with the audit rows. The image (de-identified if a
 * DICOM) is stored before the audit commit, so replay can always find it.
 */
export async function predictXray(req: XrayRequest, deps: XrayDeps): Promise<XrayPrediction> {
  const started = performance.now();
  const image = await deps.codec.decode(req.image);
  const pneumoniaLease = lease(deps.live, XRAY_MODELS.pneumonia);
  let typeLease: Lease | null = null;
  try {
    const pModel = pneumoniaLease.model;
    const cache = new Map<string, Float32Array>();
    const exec: ExecTimings = { queueMs: 0, computeMs: 0 };
    const t0 = performance.now();
    const probability = await head(pModel, await embedFor(pModel, image, deps.codec, cache, exec), exec);
    const threshold = pModel.config.threshold;
    const positive = probability >= threshold;
    let type: XrayPrediction['type'];
    let typeLow = false;
    if (positive) {
      typeLease = lease(deps.live, XRAY_MODELS.type);
      const tModel = typeLease.model;
      const pType = await head(tModel, await embedFor(tModel, image, deps.codec, cache, exec), exec);
      const labels = tModel.config.labels ?? { positive: 'bacterial', negative: 'viral' };
      const bacterial = pType >= tModel.config.threshold;
      type = { label: bacterial ? labels.positive : labels.negative, probability: bacterial ? pType : 1 - pType, model: tModel.ref };
      typeLow = inBand(pType, tModel.config.confidenceBand);
    }
    // Waiting for dynamic batches (backbone and heads) is queue time, as Triton counts it.
    const computeMs = performance.now() - t0 - exec.queueMs;
    const low = inBand(probability, pModel.config.confidenceBand) || typeLow;
    const storedSha256 = req.stored ? image.sha256 : (await deps.images.put(deps.codec.forStorage(image, req.image))).sha256;
    const imageSha256 = req.stored?.receivedSha256 ?? image.sha256;
    const predictionId = deps.newId();
    const createdAt = deps.now();
    const input = {
      imageSha256, storedSha256, format: image.format, width: image.width, height: image.height,
      accessionNumber: req.accessionNumber ?? null, patientRef: req.patientRef ?? null, studyId: req.stored?.studyId ?? null,
      // For drift monitoring against the version's reference image statistics.
      stats: imageStats(image.gray, image.width, image.height),
    };
    const common = {
      createdAt, requestId: req.requestId, clientName: req.clientName, entityId: req.stored?.studyId ?? req.accessionNumber ?? null,
      inputSha256: imageSha256, imageSha256, input, latencyMs: performance.now() - started,
    };
    const records: PredictionRecord[] = [
      {
        ...common, id: predictionId, model: pModel.ref,
        output: { probability, positive, threshold, confidence: low ? 'low' : 'high', band: pModel.config.confidenceBand ?? null, type: type ?? null },
      },
    ];
    if (type) {
      records.push({
        ...common, id: deps.newId(), model: type.model,
        input: { ...input, pneumoniaPredictionId: predictionId },
        output: { label: type.label, probability: type.probability, confidence: typeLow ? 'low' : 'high' },
      });
    }
    const alerts: PredictionAlert[] = low
      ? [{
          alertId: deps.newId(), kind: 'low_confidence', severity: 'warning', model: pModel.ref, predictionId,
          message: `Low-confidence chest X-ray result (pneumonia probability ${probability.toFixed(3)}, threshold ${threshold.toFixed(3)}${
            type ? `, ${type.label} ${type.probability.toFixed(3)}` : ''}): a clinician should review prediction ${predictionId}`,
        }]
      : [];
    const t1 = performance.now();
    try {
      await deps.store.save(records, alerts);
    } catch (err) {
      throw new VigilError('VIGIL_UNAVAILABLE', 'The prediction could not be audited, so it is not returned', { cause: err });
    }
    const timings = { queueMs: t0 - started + exec.queueMs, computeMs, postMs: 0, auditMs: performance.now() - t1 };
    for (const r of records) deps.observer?.success(r.model, 1, timings);
    return {
      predictionId, imageSha256,
      pneumonia: { probability, positive, threshold, model: pModel.ref },
      ...(type ? { type } : {}),
      confidence: low ? 'low' : 'high',
      alert: low,
    };
  } catch (err) {
    deps.observer?.failure(XRAY_MODELS.pneumonia, (err as { code?: string }).code ?? 'VIGIL_INTERNAL');
    throw err;
  } finally {
    pneumoniaLease.release();
    typeLease?.release();
  }
}

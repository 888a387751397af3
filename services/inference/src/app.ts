import { randomUUID } from 'node:crypto';
import { createServiceApp, type ServiceAppOptions, type VigilApp } from '@vigil/common';
import type { BatchJobStore, DatasetRows } from './domain/batch-ports';
import type { LiveModels } from './domain/live-models';
import type { ImageCodec, ImageStore } from './domain/image-ports';
import type { CustomerRecords, ModelRuntime, ModelSource, PredictionStore } from './domain/ports';
import type { InferenceDeps, InferenceObserver } from './domain/run-inference';
import { createStoredVersions } from './domain/stored-versions';
import { createInferenceMetrics } from './adapters/metrics/inference-metrics';
import { auditRoutes } from './routes/audit';
import { churnBatchRoutes } from './routes/churn-batch-jobs';
import { churnScoreRoutes } from './routes/churn-scores';
import { modelPredictionRoutes } from './routes/model-predictions';
import { oipMetadataRoutes } from './routes/oip-v2/health-and-metadata';
import { oipInferRoutes } from './routes/oip-v2/infer';
import { xrayPredictionRoutes } from './routes/xray-predictions';

/** Versions asked for by number (not live) kept loaded at once. */
const STORED_VERSIONS_LOADED = 4;

export interface InferenceAppDeps extends Omit<ServiceAppOptions, 'service'> {
  live: LiveModels;
  store: PredictionStore;
  customers: CustomerRecords;
  batchJobs: BatchJobStore;
  datasetRows: DatasetRows;
  codec: ImageCodec;
  images: ImageStore;
  maxImageBytes: number;
  /** Replay loads versions that are not live from here. */
  source: ModelSource;
  runtime: ModelRuntime;
  /**
   * Inference metrics: main.ts makes one and hands it to the app and to the consumers that infer
   * (xray-received, batch scoring), so every path counts under the same series; made here if absent.
   */
  observer?: InferenceObserver;
}

/** Builds the inference app from adapters that already exist; opens nothing itself. */
export async function buildApp(deps: InferenceAppDeps): Promise<VigilApp> {
  const app = await createServiceApp({ ...deps, service: 'inference' });
  // Versions asked for by number that are not live are loaded on demand, four at most at a time.
  const stored = createStoredVersions({ source: deps.source, runtime: deps.runtime, maxLoaded: STORED_VERSIONS_LOADED });
  app.addHook('onClose', () => stored.close());
  const inference: InferenceDeps = {
    live: deps.live, stored, store: deps.store, newId: randomUUID, now: () => new Date(), observer: deps.observer ?? createInferenceMetrics(deps.metrics, deps.runtime),
  };
  const ready = async () => (await Promise.allSettled(Object.values(deps.readiness).map((check) => check()))).every((r) => r.status === 'fulfilled');
  await app.register(churnScoreRoutes, { ...inference, customers: deps.customers });
  await app.register(churnBatchRoutes, { jobs: deps.batchJobs, rows: deps.datasetRows, newId: randomUUID, now: () => new Date() });
  await app.register(xrayPredictionRoutes, { ...inference, codec: deps.codec, images: deps.images, maxImageBytes: deps.maxImageBytes });
  await app.register(auditRoutes, {
    store: deps.store, source: deps.source, runtime: deps.runtime, live: deps.live, codec: deps.codec, images: deps.images,
  });
  await app.register(oipMetadataRoutes, { live: deps.live, ready, version: deps.version ?? '0.1.0' });
  await app.register(oipInferRoutes, inference);
  await app.register(modelPredictionRoutes, inference);
  return app;
}

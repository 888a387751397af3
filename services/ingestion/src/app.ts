import { randomUUID } from 'node:crypto';
import { createServiceApp, type ServiceAppOptions, type VigilApp } from '@vigil/common';
import type { DatasetStore, FeedbackStore } from './domain/ports';
import type { ImageBlobs, ImageProbe, XrayDatasetStore } from './domain/xray-ports';
import { churnDatasetRoutes } from './routes/churn-datasets';
import { datasetRoutes } from './routes/datasets';
import { feedbackRoutes } from './routes/feedback';
import { xrayDatasetRoutes } from './routes/xray-datasets';

/** X-ray datasets: rows in Postgres, images in the blob store, limits from the config. */
export interface XrayDeps {
  store: XrayDatasetStore;
  blobs: ImageBlobs;
  images: ImageProbe;
  maxArchiveBytes: number;
  maxImagePixels: number;
}

export interface IngestionDeps extends Omit<ServiceAppOptions, 'service'> {
  feedbackStore: FeedbackStore;
  datasetStore: DatasetStore;
  xray: XrayDeps;
}

/** Builds the ingestion app from adapters that already exist; opens nothing itself. */
export async function buildApp(deps: IngestionDeps): Promise<VigilApp> {
  const app = await createServiceApp({ ...deps, service: 'ingestion' });
  const clock = { now: () => new Date() };
  const ids = { newId: randomUUID };
  await app.register(feedbackRoutes, { store: deps.feedbackStore, clock, ids });
  await app.register(churnDatasetRoutes, { store: deps.datasetStore, clock, ids });
  await app.register(datasetRoutes, { store: deps.datasetStore });
  await app.register(xrayDatasetRoutes, { xray: { ...deps.xray, clock, ids } });
  return app;
}

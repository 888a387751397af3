import { randomUUID } from 'node:crypto';
import { createServiceApp, type ServiceAppOptions, type VigilApp } from '@vigil/common';
import type { DatasetStore, FeedbackStore } from './domain/ports';
import type { StudyImageCodec, StudyPredictions, StudyStore } from './domain/study-ports';
import type { ImageBlobs, ImageProbe, XrayDatasetStore } from './domain/xray-ports';
import { churnDatasetRoutes } from './routes/churn-datasets';
import { datasetRoutes } from './routes/datasets';
import { dicomwebStowRoutes } from './routes/dicomweb-stow';
import { feedbackRoutes } from './routes/feedback';
import { xrayDatasetRoutes } from './routes/xray-datasets';
import { xrayStudyRoutes } from './routes/xray-studies';

/** X-ray datasets: rows in Postgres, images in the blob store, limits from the config. */
export interface XrayDeps {
  store: XrayDatasetStore;
  blobs: ImageBlobs;
  images: ImageProbe;
  maxArchiveBytes: number;
  maxImagePixels: number;
}

/** X-ray studies (POST /v1/xray/studies, STOW-RS): rows and events in Postgres, images in the blob store. */
export interface StudyDeps {
  store: StudyStore;
  /** inference.predictions, read for GET /v1/xray/studies/{id}. */
  predictions: StudyPredictions;
  codec: StudyImageCodec;
  blobs: ImageBlobs;
  /** Largest image accepted (413 above). */
  maxImageBytes: number;
  /** Largest STOW-RS request body (413 above). */
  maxStowBytes: number;
}

export interface IngestionDeps extends Omit<ServiceAppOptions, 'service'> {
  feedbackStore: FeedbackStore;
  datasetStore: DatasetStore;
  xray: XrayDeps;
  studies: StudyDeps;
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
  await app.register(xrayStudyRoutes, { studies: { ...deps.studies, clock, ids } });
  await app.register(dicomwebStowRoutes, { studies: { ...deps.studies, clock, ids } });
  return app;
}

import { randomUUID } from 'node:crypto';
import { createServiceApp, type ServiceAppOptions, type VigilApp } from '@vigil/common';
import type { DatasetReader, ImageHoldoutScorer, JobStore, RegistryStore } from './domain/ports';
import { modelRegistrationRoutes, type RegistrationRoutesDeps } from './routes/model-registration';
import { modelRoutes } from './routes/models';
import { trainingJobRoutes } from './routes/training-jobs';

export interface TrainingDeps extends Omit<ServiceAppOptions, 'service'> {
  jobs: JobStore;
  datasets: DatasetReader;
  registry: RegistryStore;
  /** Scores image holdouts for the promotion gate of xray models. */
  images?: ImageHoldoutScorer;
  promotionMargin: number;
  /** Registration of outside ONNX models (POST /v1/models/{name}/versions). */
  registration: RegistrationRoutesDeps;
}

/** Builds the training app from adapters that already exist; opens nothing itself. */
export async function buildApp(deps: TrainingDeps): Promise<VigilApp> {
  const app = await createServiceApp({ ...deps, service: 'training' });
  await app.register(trainingJobRoutes, { jobs: deps.jobs, datasets: deps.datasets, newId: randomUUID });
  await app.register(modelRegistrationRoutes, deps.registration);
  await app.register(modelRoutes, {
    registry: deps.registry, datasets: deps.datasets, images: deps.images, promotionMargin: deps.promotionMargin,
    registered: { files: deps.registration.files, inspector: deps.registration.inspector },
  });
  return app;
}

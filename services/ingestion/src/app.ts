import { randomUUID } from 'node:crypto';
import { createServiceApp, type ServiceAppOptions, type VigilApp } from '@vigil/common';
import type { FeedbackStore } from './domain/ports';
import { feedbackRoutes } from './routes/feedback';

export interface IngestionDeps extends Omit<ServiceAppOptions, 'service'> {
  feedbackStore: FeedbackStore;
}

/** Builds the ingestion app from adapters that already exist; opens nothing itself. */
export async function buildApp(deps: IngestionDeps): Promise<VigilApp> {
  const app = await createServiceApp({ ...deps, service: 'ingestion' });
  await app.register(feedbackRoutes, {
    store: deps.feedbackStore,
    clock: { now: () => new Date() },
    ids: { newId: randomUUID },
  });
  return app;
}

import { createServiceApp, type ServiceAppOptions, type VigilApp } from '@vigil/common';
import type { AlertStore } from './domain/ports';
import type { RecordFeedbackDeps } from './domain/record-feedback';
import { alertRoutes } from './routes/alerts';
import { feedbackRoutes } from './routes/feedback';
import { performanceRoutes, type PerformanceRouteDeps } from './routes/performance';

export interface MonitoringDeps extends Omit<ServiceAppOptions, 'service'> {
  alerts: AlertStore;
  feedback: RecordFeedbackDeps;
  performance: PerformanceRouteDeps;
}

/** Builds the monitoring app from adapters that already exist; opens nothing itself. */
export async function buildApp(deps: MonitoringDeps): Promise<VigilApp> {
  const app = await createServiceApp({ ...deps, service: 'monitoring' });
  await app.register(alertRoutes, { alerts: deps.alerts });
  await app.register(feedbackRoutes, deps.feedback);
  await app.register(performanceRoutes, deps.performance);
  return app;
}

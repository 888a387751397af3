import { createServiceApp, type ServiceAppOptions, type VigilApp } from '@vigil/common';
import type { AlertStore } from './domain/ports';
import { alertRoutes } from './routes/alerts';

export interface MonitoringDeps extends Omit<ServiceAppOptions, 'service'> {
  alerts: AlertStore;
}

/** Builds the monitoring app from adapters that already exist; opens nothing itself. */
export async function buildApp(deps: MonitoringDeps): Promise<VigilApp> {
  const app = await createServiceApp({ ...deps, service: 'monitoring' });
  await app.register(alertRoutes, { alerts: deps.alerts });
  return app;
}

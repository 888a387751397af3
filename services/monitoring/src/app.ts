import { createServiceApp, type ServiceAppOptions, type VigilApp } from '@vigil/common';

export type MonitoringDeps = Omit<ServiceAppOptions, 'service'>;

/** Builds the monitoring app from adapters that already exist; opens nothing itself. */
export async function buildApp(deps: MonitoringDeps): Promise<VigilApp> {
  return createServiceApp({ ...deps, service: 'monitoring' });
}

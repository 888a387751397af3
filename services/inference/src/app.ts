import { createServiceApp, type ServiceAppOptions, type VigilApp } from '@vigil/common';

export type InferenceDeps = Omit<ServiceAppOptions, 'service'>;

/**
 * Builds the inference app from adapters that already exist; opens nothing itself.
 * Its domain routes arrive with their own issues; the platform shell (health, metrics, docs, auth) is here.
 */
export async function buildApp(deps: InferenceDeps): Promise<VigilApp> {
  return createServiceApp({ ...deps, service: 'inference' });
}

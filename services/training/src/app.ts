import { createServiceApp, type ServiceAppOptions, type VigilApp } from '@vigil/common';

export type TrainingDeps = Omit<ServiceAppOptions, 'service'>;

/**
 * Builds the training app from adapters that already exist; opens nothing itself.
 * Its domain routes arrive with their own issues; the platform shell (health, metrics, docs, auth) is here.
 */
export async function buildApp(deps: TrainingDeps): Promise<VigilApp> {
  return createServiceApp({ ...deps, service: 'training' });
}

import { createServiceApp, type ServiceAppOptions, type VigilApp } from '@vigil/common';
import type { ManagePoliciesDeps } from './domain/manage-policies';
import type { AlertStore } from './domain/ports';
import type { RecordFeedbackDeps } from './domain/record-feedback';
import { alertRoutes } from './routes/alerts';
import { driftRoutes, type DriftRouteDeps } from './routes/drift';
import { feedbackRoutes } from './routes/feedback';
import { performanceRoutes, type PerformanceRouteDeps } from './routes/performance';
import { policyRoutes } from './routes/policies';
import { policyBreachRoutes } from './routes/policy-breaches';
import { reviewRoutes, type ReviewRouteDeps } from './routes/reviews';
import { usageRoutes, type UsageRouteDeps } from './routes/usage';

export interface MonitoringDeps extends Omit<ServiceAppOptions, 'service'> {
  alerts: AlertStore;
  feedback: RecordFeedbackDeps;
  performance: PerformanceRouteDeps;
  // Optional so that an app built for one concern (a test, a benchmark) need not wire these; main.ts always does.
  drift?: DriftRouteDeps;
  reviews?: ReviewRouteDeps;
  usage?: UsageRouteDeps;
  policies?: ManagePoliciesDeps;
}

/** Builds the monitoring app from adapters that already exist; opens nothing itself. */
export async function buildApp(deps: MonitoringDeps): Promise<VigilApp> {
  const app = await createServiceApp({ ...deps, service: 'monitoring' });
  await app.register(alertRoutes, { alerts: deps.alerts });
  await app.register(feedbackRoutes, deps.feedback);
  await app.register(performanceRoutes, deps.performance);
  if (deps.drift) await app.register(driftRoutes, deps.drift);
  if (deps.reviews) await app.register(reviewRoutes, deps.reviews);
  if (deps.usage) await app.register(usageRoutes, deps.usage);
  if (deps.policies) {
    await app.register(policyRoutes, deps.policies);
    await app.register(policyBreachRoutes, deps.policies);
  }
  return app;
}

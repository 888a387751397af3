import { collectDefaultMetrics, Registry } from 'prom-client';

/** A registry per service instance (not prom-client's global one), so tests can build many apps. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

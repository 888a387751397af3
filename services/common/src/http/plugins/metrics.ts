import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, Histogram, type Registry } from 'prom-client';

export interface MetricsPluginOptions {
  registry: Registry;
}

/** Request count and latency by route template and status, plus GET /metrics for Prometheus. */
export const metricsPlugin = fp<MetricsPluginOptions>(
  async (app: FastifyInstance, { registry }) => {
    const labelNames = ['method', 'route', 'status_code'] as const;
    const requests = new Counter({ name: 'vigil_http_requests_total', help: 'HTTP requests answered', labelNames, registers: [registry] });
    const duration = new Histogram({
      name: 'vigil_http_request_duration_seconds',
      help: 'HTTP request latency',
      labelNames,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    app.addHook('onResponse', async (request, reply) => {
      // The route template, not the raw URL, keeps label cardinality bounded.
      const labels = { method: request.method, route: request.routeOptions.url ?? 'unmatched', status_code: String(reply.statusCode) };
      requests.inc(labels);
      duration.observe(labels, reply.elapsedTime / 1000);
    });
    app.get('/metrics', { config: { public: true }, schema: { hide: true } }, async (_request, reply) => {
      reply.type(registry.contentType);
      return registry.metrics();
    });
  },
  { name: 'vigil-metrics' },
);

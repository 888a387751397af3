import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { VigilError } from '../../errors/vigil-error';
import { sendProblem } from './error-handler';

export type ReadinessCheck = () => Promise<void>;

export interface HealthPluginOptions {
  /** Named dependency checks, e.g. { postgres, kafka }; each throws when its dependency is down. */
  checks: Record<string, ReadinessCheck>;
}

/** GET /healthz: the process is alive. GET /readyz: its dependencies answer right now. */
export const healthPlugin = fp<HealthPluginOptions>(
  async (app: FastifyInstance, { checks }) => {
    app.get('/healthz', { config: { public: true }, schema: { tags: ['health'], summary: 'Liveness', security: [] } }, async () => ({ status: 'alive' }));
    app.get('/readyz', { config: { public: true }, schema: { tags: ['health'], summary: 'Readiness (Postgres and Kafka reachable)', security: [] } }, async (request, reply) => {
      const entries = Object.entries(checks);
      const results = await Promise.allSettled(entries.map(([, check]) => check()));
      const status: Record<string, string> = {};
      const failures: string[] = [];
      results.forEach((r, i) => {
        const name = entries[i][0];
        if (r.status === 'fulfilled') status[name] = 'ok';
        else {
          status[name] = (r.reason as Error)?.message ?? 'failed';
          failures.push(`${name}: ${status[name]}`);
        }
      });
      if (failures.length === 0) return { status: 'ready', checks: status };
      return sendProblem(reply, request, new VigilError('VIGIL_UNAVAILABLE', `Not ready: ${failures.join('; ')}`, { details: { checks: status } }));
    });
  },
  { name: 'vigil-health', dependencies: ['vigil-error-handler'] },
);

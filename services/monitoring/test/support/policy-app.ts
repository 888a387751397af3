import { randomUUID } from 'node:crypto';
import { createApiKeyStore, createMetricsRegistry, pingPostgres, type KafkaAdmin, type Pool } from '@vigil/common';
import { createAlertStore } from '../../src/adapters/postgres/alert-store';
import { createBreachStore } from '../../src/adapters/postgres/breach-store';
import { createFeedbackWriter } from '../../src/adapters/postgres/feedback-writer';
import { createPolicyStore } from '../../src/adapters/postgres/policy-store';
import { createQualityReader } from '../../src/adapters/postgres/quality-reader';
import { createTaskConfigs } from '../../src/adapters/postgres/task-configs';
import { createServingVersions } from '../../src/adapters/postgres/serving-versions';
import { buildApp } from '../../src/app';
import { parseWindows } from '../../src/domain/windows';
import { createPolicyEvaluation } from '../../src/jobs/policy-evaluation';
import { silentLogger } from '../../../../tests/support/kafka';

/**
 * A monitoring replica as main.ts wires its policies: the app with the policy routes, and the
 * evaluator (not started: tests run its passes with `evaluate()`, or start it).
 */
export async function startPolicyReplica(opts: { pool: Pool; admin: KafkaAdmin; windows?: string; pollMs?: number }) {
  const { pool, admin } = opts;
  const windows = parseWindows(opts.windows ?? '1h,1d,7d');
  const reader = createQualityReader(pool);
  const policies = createPolicyStore(pool);
  const breaches = createBreachStore(pool);
  const app = await buildApp({
    logger: silentLogger, metrics: createMetricsRegistry('monitoring'), apiKeys: createApiKeyStore(pool),
    readiness: { postgres: () => pingPostgres(pool), kafka: () => admin.ping() },
    alerts: createAlertStore(pool),
    feedback: { tasks: createTaskConfigs(pool), writer: createFeedbackWriter(pool), now: () => new Date(), churnWindowMs: 86_400_000 },
    performance: { tasks: createTaskConfigs(pool), reader, defaultWindow: windows[windows.length - 1] },
    policies: { store: policies, breaches, windows, newId: randomUUID },
  });
  const evaluation = createPolicyEvaluation({
    policies, breaches, serving: createServingVersions(pool), reader, newId: randomUUID, logger: silentLogger, pollMs: opts.pollMs ?? 60_000,
  });
  return {
    app, evaluation, breaches,
    async close() {
      await evaluation.close();
      await app.close();
    },
  };
}

import { randomUUID } from 'node:crypto';
import {
  createApiKeyStore, createBatchInboxConsumer, createInboxConsumer, createMetricsRegistry, createOutboxRelay, pingPostgres, TOPICS,
  type KafkaAdmin, type MessageBus, type Pool,
} from '@vigil/common';
import { createQualityMetrics } from '../../services/monitoring/src/adapters/metrics/quality-metrics';
import { createAlertStore } from '../../services/monitoring/src/adapters/postgres/alert-store';
import { createBreachStore } from '../../services/monitoring/src/adapters/postgres/breach-store';
import { createDriftReader } from '../../services/monitoring/src/adapters/postgres/drift-reader';
import { createFeedbackWriter } from '../../services/monitoring/src/adapters/postgres/feedback-writer';
import { createPolicyStore } from '../../services/monitoring/src/adapters/postgres/policy-store';
import { createPredictionStore } from '../../services/monitoring/src/adapters/postgres/prediction-store';
import { createQualityReader } from '../../services/monitoring/src/adapters/postgres/quality-reader';
import { createTaskConfigs } from '../../services/monitoring/src/adapters/postgres/task-configs';
import { createServingVersions } from '../../services/monitoring/src/adapters/postgres/serving-versions';
import { buildApp } from '../../services/monitoring/src/app';
import { createAlertRaisedHandler } from '../../services/monitoring/src/consumers/alert-raised';
import { handlePredictionsMade } from '../../services/monitoring/src/consumers/prediction-made';
import { createDriftPsi } from '../../services/monitoring/src/domain/drift-psi';
import { parseWindows } from '../../services/monitoring/src/domain/windows';
import { createPolicyEvaluation } from '../../services/monitoring/src/jobs/policy-evaluation';
import { createQualityRefresh } from '../../services/monitoring/src/jobs/quality-refresh';
import { silentLogger, uniqueName } from './kafka';

const DAY_MS = 86_400_000;

/**
 * Monitoring beside a churn stack, wired as its main.ts wires it: the app (feedback, performance,
 * alerts, policies), the prediction-made and alert-raised consumers, the quality refresher, the
 * policy evaluator and monitoring's outbox relay; plus inference's outbox relay, which the churn
 * stack does not run, so that the scores reach monitoring as PredictionMade events.
 * The consumers read from the latest offset in groups of their own: the real topics also hold
 * earlier runs' predictions and alerts.
 */
export async function startMonitoringStack(opts: { pool: Pool; inferencePool: Pool; bus: MessageBus; admin: KafkaAdmin; evaluationMs?: number; windows?: string }) {
  const { pool, bus, admin } = opts;
  const producer = bus.producer();
  const inferenceRelay = createOutboxRelay({ pool: opts.inferencePool, schema: 'inference', producer, logger: silentLogger, pollMs: 100 });
  const relay = createOutboxRelay({ pool, schema: 'monitoring', producer, logger: silentLogger, pollMs: 100 });

  const windows = parseWindows(opts.windows ?? '1h,1d,7d');
  const registry = createMetricsRegistry('monitoring');
  const reader = createQualityReader(pool);
  const refresh = createQualityRefresh({
    reader, pending: createPredictionStore(pool), windows, observer: createQualityMetrics(registry), logger: silentLogger, pollMs: 2000,
  });
  const writer = createFeedbackWriter(pool, { onCommitted: () => { relay.kick(); refresh.kick(); } });
  const policies = createPolicyStore(pool);
  const breaches = createBreachStore(pool, { onCommitted: () => relay.kick() });
  const app = await buildApp({
    logger: silentLogger, metrics: registry, apiKeys: createApiKeyStore(pool),
    readiness: { postgres: () => pingPostgres(pool), kafka: () => admin.ping() },
    alerts: createAlertStore(pool),
    feedback: { tasks: createTaskConfigs(pool), writer, now: () => new Date(), churnWindowMs: 90 * DAY_MS },
    performance: { tasks: createTaskConfigs(pool), reader, defaultWindow: windows[windows.length - 1] },
    drift: { reader: createDriftReader(pool), defaultWindow: windows[windows.length - 1] },
    policies: { store: policies, breaches, windows, newId: randomUUID },
  });
  const evaluation = createPolicyEvaluation({
    policies, breaches, serving: createServingVersions(pool), reader, psi: createDriftPsi(createDriftReader(pool)), newId: randomUUID, logger: silentLogger, pollMs: opts.evaluationMs ?? 500,
  });

  const predictionGroup = uniqueName('test.monitoring.prediction-made');
  const predictions = createBatchInboxConsumer({
    pool, schema: 'monitoring', name: predictionGroup, producer, logger: silentLogger,
    consumer: bus.batchConsumer({ groupId: predictionGroup, fromBeginning: false }),
  });
  const alertGroup = uniqueName('test.monitoring.alert-raised');
  const alerts = createInboxConsumer({
    pool, schema: 'monitoring', name: alertGroup, producer, logger: silentLogger, consumer: bus.consumer({ groupId: alertGroup, fromBeginning: false }),
  });

  inferenceRelay.start();
  relay.start();
  await predictions.start([TOPICS.predictionMade], handlePredictionsMade);
  await alerts.start([TOPICS.alertRaised], createAlertRaisedHandler({ webhookEnabled: false }));
  refresh.start();
  evaluation.start();
  return {
    app, evaluation,
    async close() {
      await evaluation.close();
      await refresh.close();
      await predictions.close();
      await alerts.close();
      await relay.stop();
      await inferenceRelay.stop();
      await producer.close();
      await app.close();
    },
  };
}

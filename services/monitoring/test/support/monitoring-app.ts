import {
  allTopicSpecs, createApiKeyStore, createBatchInboxConsumer, createMetricsRegistry, pingPostgres, type KafkaAdmin, type MessageBus, type MessageProducer,
  type Pool,
} from '@vigil/common';
import { createQualityMetrics } from '../../src/adapters/metrics/quality-metrics';
import { createAlertStore } from '../../src/adapters/postgres/alert-store';
import { createFeedbackWriter } from '../../src/adapters/postgres/feedback-writer';
import { createPredictionStore } from '../../src/adapters/postgres/prediction-store';
import { createQualityReader } from '../../src/adapters/postgres/quality-reader';
import { createTaskConfigs } from '../../src/adapters/postgres/task-configs';
import { buildApp } from '../../src/app';
import { handlePredictionsMade } from '../../src/consumers/prediction-made';
import { parseWindows } from '../../src/domain/windows';
import { createQualityRefresh } from '../../src/jobs/quality-refresh';
import { silentLogger, uniqueName } from '../../../../tests/support/kafka';

export const DAY_MS = 86_400_000;

/**
 * The monitoring app, quality refresher and prediction consumer wired as main.ts wires them, on a
 * test database and the real broker. The prediction consumer reads the test's own topic, so that
 * the events earlier runs (and benchmarks) left on the real one do not end up in the assertions.
 */
export async function startMonitoring(opts: { pool: Pool; bus: MessageBus; admin: KafkaAdmin; producer: MessageProducer; windows?: string; refreshMs?: number }) {
  const { pool, bus, admin, producer } = opts;
  await admin.ensureTopics(allTopicSpecs());
  const predictionTopic = uniqueName('test.prediction.made');
  await admin.ensureTopics([{ topic: predictionTopic, partitions: 3 }, { topic: `${predictionTopic}.dlq`, partitions: 1 }]);
  const registry = createMetricsRegistry('monitoring');
  const windows = parseWindows(opts.windows ?? '1h,1d,7d');
  const reader = createQualityReader(pool);
  const refresh = createQualityRefresh({
    reader, pending: createPredictionStore(pool), windows, observer: createQualityMetrics(registry), logger: silentLogger, pollMs: opts.refreshMs ?? 60_000,
  });
  const writer = createFeedbackWriter(pool, { onCommitted: () => refresh.kick() });
  const app = await buildApp({
    logger: silentLogger, metrics: registry, apiKeys: createApiKeyStore(pool),
    readiness: { postgres: () => pingPostgres(pool), kafka: () => admin.ping() },
    alerts: createAlertStore(pool),
    feedback: { tasks: createTaskConfigs(pool), writer, now: () => new Date(), churnWindowMs: 90 * DAY_MS },
    performance: { tasks: createTaskConfigs(pool), reader, defaultWindow: windows[windows.length - 1] },
  });
  const group = uniqueName('test.monitoring.prediction-made');
  const predictions = createBatchInboxConsumer({
    pool, schema: 'monitoring', name: group, consumer: bus.batchConsumer({ groupId: group }), producer, logger: silentLogger,
  });
  await predictions.start([predictionTopic], handlePredictionsMade);
  refresh.start();
  const keys = createApiKeyStore(pool);
  const key = async (scopes: string[]) => (await keys.create(uniqueName('client'), scopes)).key;
  return {
    app, registry, refresh, predictionTopic, key,
    /** Waits until monitoring.predictions holds every id. */
    async stored(ids: string[]): Promise<void> {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const { rows } = await pool.query('SELECT count(*)::int AS n FROM monitoring.predictions WHERE prediction_id = ANY($1::uuid[])', [ids]);
        if (rows[0].n === ids.length) return;
        if (Date.now() > deadline) throw new Error(`only ${rows[0].n} of ${ids.length} predictions stored`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async close() {
      await refresh.close();
      await predictions.close();
      await app.close();
    },
  };
}

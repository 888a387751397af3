import { createApiKeyStore, createMetricsRegistry, pingPostgres, type KafkaAdmin, type Pool } from '@vigil/common';
import { createDatasetStore } from '../../services/ingestion/src/adapters/postgres/dataset-store';
import { createFeedbackStore } from '../../services/ingestion/src/adapters/postgres/feedback-store';
import { buildApp } from '../../services/ingestion/src/app';
import { silentLogger } from './kafka';

/** The ingestion app wired to real adapters, as main.ts wires it. */
export function buildIngestionApp(pool: Pool, admin: KafkaAdmin) {
  return buildApp({
    logger: silentLogger,
    metrics: createMetricsRegistry('ingestion'),
    apiKeys: createApiKeyStore(pool),
    readiness: { postgres: () => pingPostgres(pool), kafka: () => admin.ping() },
    feedbackStore: createFeedbackStore(pool),
    datasetStore: createDatasetStore(pool),
  });
}

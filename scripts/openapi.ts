/**
 * `npm run openapi`: writes each service's OpenAPI document to docs/openapi/<service>.json.
 * npm test regenerates them and fails when they differ from what is committed, so an API change
 * is always visible in review. Apps are built with real adapters that are never used: buildApp
 * opens nothing, and neither do a pg pool or a Kafka admin until their first call.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { createApiKeyStore, createFileBlobStore, createKafkaBus, createMetricsRegistry, createPool, type VigilApp } from '@vigil/common';
import { createStudyCodec } from '../services/ingestion/src/adapters/imaging/study-codec';
import { createDatasetStore } from '../services/ingestion/src/adapters/postgres/dataset-store';
import { createFeedbackStore } from '../services/ingestion/src/adapters/postgres/feedback-store';
import { createStudyPredictionReader } from '../services/ingestion/src/adapters/postgres/study-prediction-reader';
import { createStudyStore } from '../services/ingestion/src/adapters/postgres/study-store';
import { createXrayDatasetStore } from '../services/ingestion/src/adapters/postgres/xray-dataset-store';
import { createImageProbe } from '../services/ingestion/src/adapters/sharp/image-probe';
import { buildApp as buildIngestion } from '../services/ingestion/src/app';
import { createBatchJobStore, createDatasetRows } from '../services/inference/src/adapters/postgres/batch-job-store';
import { createCustomerRecords } from '../services/inference/src/adapters/postgres/customer-records';
import { createPredictionStore } from '../services/inference/src/adapters/postgres/prediction-store';
import { buildApp as buildInference } from '../services/inference/src/app';
import { createImageCodec } from '../services/inference/src/adapters/imaging/image-codec';
import { createImageStore } from '../services/inference/src/adapters/imaging/image-store';
import { createModelSource } from '../services/inference/src/adapters/postgres/model-source';
import { createLiveModels } from '../services/inference/src/domain/live-models';
import { createDatasetReader } from '../services/training/src/adapters/postgres/dataset-reader';
import { createJobStore } from '../services/training/src/adapters/postgres/job-store';
import { createModelInspector } from '../services/training/src/adapters/onnx/model-inspector';
import { createRegistrationStore } from '../services/training/src/adapters/postgres/registration-store';
import { createRegistryStore } from '../services/training/src/adapters/postgres/registry-store';
import { createModelRepository } from '../services/training/src/adapters/storage/model-repository';
import { createAlertStore } from '../services/monitoring/src/adapters/postgres/alert-store';
import { createBreachStore } from '../services/monitoring/src/adapters/postgres/breach-store';
import { createDriftReader } from '../services/monitoring/src/adapters/postgres/drift-reader';
import { createFeedbackWriter } from '../services/monitoring/src/adapters/postgres/feedback-writer';
import { createPolicyStore } from '../services/monitoring/src/adapters/postgres/policy-store';
import { createQualityReader } from '../services/monitoring/src/adapters/postgres/quality-reader';
import { createTaskConfigs } from '../services/monitoring/src/adapters/postgres/task-configs';
import { createReviewStore } from '../services/monitoring/src/adapters/postgres/review-store';
import { createUsageReader } from '../services/monitoring/src/adapters/postgres/usage-reader';
import { buildApp as buildMonitoring } from '../services/monitoring/src/app';
import { buildApp as buildTraining } from '../services/training/src/app';

const OUT = path.resolve(__dirname, '../docs/openapi');

async function main(): Promise<void> {
  const logger = pino({ level: 'silent' });
  const pool = createPool({ connectionString: 'postgres://unused@127.0.0.1:1/unused', applicationName: 'openapi' });
  const admin = createKafkaBus({ brokers: ['127.0.0.1:1'], clientId: 'openapi', logger }).admin();
  const base = (service: string) => ({
    logger,
    metrics: createMetricsRegistry(service),
    apiKeys: createApiKeyStore(pool),
    readiness: { postgres: async () => undefined, kafka: () => admin.ping() },
  });
  const unusedRuntime = { load: async () => { throw new Error('unused'); }, unload: async () => undefined };
  const apps: Record<string, VigilApp> = {
    inference: await buildInference({
      ...base('inference'),
      live: createLiveModels(unusedRuntime),
      codec: createImageCodec({ limits: { maxBytes: 1, maxPixels: 1 }, uidSecret: 'unused-unused-unused' }),
      images: createImageStore('/nonexistent'),
      maxImageBytes: 1,
      source: createModelSource(pool, '/nonexistent'),
      runtime: unusedRuntime,
      store: createPredictionStore(pool, { maxBatch: 1 }),
      customers: createCustomerRecords(pool),
      batchJobs: createBatchJobStore(pool),
      datasetRows: createDatasetRows(pool),
    }),
    ingestion: await buildIngestion({
      ...base('ingestion'), feedbackStore: createFeedbackStore(pool), datasetStore: createDatasetStore(pool),
      xray: { store: createXrayDatasetStore(pool), blobs: createFileBlobStore('/nonexistent'), images: createImageProbe(), maxArchiveBytes: 1, maxImagePixels: 1 },
      studies: {
        store: createStudyStore(pool), predictions: createStudyPredictionReader(pool), blobs: createFileBlobStore('/nonexistent'),
        codec: createStudyCodec({ limits: { maxBytes: 1, maxPixels: 1 }, uidSecret: 'unused-unused-unused' }), maxImageBytes: 1, maxStowBytes: 1,
      },
    }),
    training: await buildTraining({
      ...base('training'),
      jobs: createJobStore(pool, createModelRepository('/nonexistent')),
      datasets: createDatasetReader(pool),
      registry: createRegistryStore(pool),
      promotionMargin: 0.01,
      registration: { inspector: createModelInspector(), store: createRegistrationStore(pool, createModelRepository('/nonexistent')), maxModelBytes: 1, files: createModelRepository('/nonexistent') },
    }),
    monitoring: await buildMonitoring({
      ...base('monitoring'),
      alerts: createAlertStore(pool),
      feedback: { tasks: createTaskConfigs(pool), writer: createFeedbackWriter(pool), now: () => new Date(), churnWindowMs: 1 },
      performance: { tasks: createTaskConfigs(pool), reader: createQualityReader(pool), defaultWindow: { name: '7d', ms: 7 * 86_400_000 } },
      drift: { reader: createDriftReader(pool), defaultWindow: { name: '7d', ms: 7 * 86_400_000 } },
      reviews: { reviews: createReviewStore(pool), now: () => new Date() },
      usage: { reader: createUsageReader(pool), unusedDays: 30 },
      policies: {
        store: createPolicyStore(pool), breaches: createBreachStore(pool), windows: [{ name: '7d', ms: 7 * 86_400_000 }], newId: () => 'unused',
      },
    }),
  };
  mkdirSync(OUT, { recursive: true });
  for (const [name, app] of Object.entries(apps)) {
    await app.ready();
    writeFileSync(path.join(OUT, `${name}.json`), `${JSON.stringify(app.swagger(), null, 2)}\n`);
    await app.close();
  }
  await pool.end();
}

main().catch((err: Error) => {
  console.error(`openapi: ${err.message}`);
  process.exit(1);
});

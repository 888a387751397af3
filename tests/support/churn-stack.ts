import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  allTopicSpecs, createApiKeyStore, createInboxConsumer, createMetricsRegistry, createOutboxRelay, pingPostgres, TOPICS,
  type KafkaAdmin, type MessageBus, type Pool,
} from '@vigil/common';
import { createImageCodec } from '../../services/inference/src/adapters/imaging/image-codec';
import { createImageStore } from '../../services/inference/src/adapters/imaging/image-store';
import { createOnnxRuntime } from '../../services/inference/src/adapters/onnx/model-runtime';
import { createBatchJobStore, createDatasetRows } from '../../services/inference/src/adapters/postgres/batch-job-store';
import { createCustomerRecords } from '../../services/inference/src/adapters/postgres/customer-records';
import { createModelSource } from '../../services/inference/src/adapters/postgres/model-source';
import { createPredictionStore } from '../../services/inference/src/adapters/postgres/prediction-store';
import { buildApp as buildInference } from '../../services/inference/src/app';
import { createModelDeployedConsumer } from '../../services/inference/src/consumers/model-deployed';
import { createXrayReceivedHandler, XRAY_RECEIVED_CONSUMER } from '../../services/inference/src/consumers/xray-received';
import { createInferenceMetrics } from '../../services/inference/src/adapters/metrics/inference-metrics';
import { createLiveModels } from '../../services/inference/src/domain/live-models';
import { syncLiveModels } from '../../services/inference/src/domain/sync-live-models';
import { createDatasetReader } from '../../services/training/src/adapters/postgres/dataset-reader';
import { createJobStore } from '../../services/training/src/adapters/postgres/job-store';
import { createModelInspector } from '../../services/training/src/adapters/onnx/model-inspector';
import { createRegistrationStore } from '../../services/training/src/adapters/postgres/registration-store';
import { createRegistryStore } from '../../services/training/src/adapters/postgres/registry-store';
import { createModelRepository } from '../../services/training/src/adapters/storage/model-repository';
import { createChildHoldoutScorer } from '../../services/training/src/adapters/worker/child-holdout-scorer';
import { createChildTrainer } from '../../services/training/src/adapters/worker/child-trainer';
import { buildApp as buildTraining } from '../../services/training/src/app';
import { createJobRunner } from '../../services/training/src/jobs/job-runner';
import { createTrainingRequestedHandler } from '../../services/training/src/consumers/training-requested';
import { createBatchRunner } from '../../services/inference/src/jobs/batch-runner';
import { buildIngestionApp } from './ingestion-app';
import { createTestDatabase, type TestDatabase } from './database';
import { silentLogger, testBus, uniqueName } from './kafka';
import { startMonitoringStack } from './monitoring-stack';

/**
 * Ingestion, training (with its job runner and outbox relay) and inference (with its
 * model-deployed consumer), wired as their main.ts files wire them, on one real database and the
 * real broker. `inferencePool` lets a test put inference's database behind a proxy.
 */
export async function startChurnStack(opts: {
  pool: Pool; inferencePool: Pool; bus: MessageBus; admin: KafkaAdmin; blobDir?: string; xrayConfidenceLogitMargin?: number;
}) {
  const { pool, bus, admin } = opts;
  const blobDir = opts.blobDir ?? mkdtempSync(path.join(os.tmpdir(), 'vigil-blobs-'));
  // As every service does at start: the broker does not create topics on its own.
  await admin.ensureTopics(allTopicSpecs());
  const modelDir = mkdtempSync(path.join(os.tmpdir(), 'vigil-models-'));
  const readiness = { postgres: () => pingPostgres(pool), kafka: () => admin.ping() };
  const base = (service: string) => ({ logger: silentLogger, metrics: createMetricsRegistry(service), apiKeys: createApiKeyStore(pool), readiness });

  const ingestion = await buildIngestionApp(pool, admin, blobDir);

  const repository = createModelRepository(modelDir);
  const jobs = createJobStore(pool, repository);
  const datasets = createDatasetReader(pool);
  const registry = createRegistryStore(pool);
  const trainer = createChildTrainer({ blobDir, xray: { targetRecall: 0.98, confidenceLogitMargin: opts.xrayConfidenceLogitMargin ?? 1 } });
  const holdoutImages = createChildHoldoutScorer({ repositoryRoot: modelDir, blobDir });
  const runner = createJobRunner({
    jobs, datasets, trainer, logger: silentLogger, codeCommit: 'test-commit', seed: 42, staleAfterMs: 30_000, maxAttempts: 2, pollMs: 200,
    promote: { registry, datasets, images: holdoutImages, margin: 0.01 },
  });
  const training = await buildTraining({
    ...base('training'), jobs, datasets, registry, promotionMargin: 0.01,
    images: holdoutImages,
    registration: { inspector: createModelInspector(), store: createRegistrationStore(pool, repository), maxModelBytes: 64 * 1024 * 1024, files: repository },
  });
  const producer = bus.producer();
  const relay = createOutboxRelay({ pool, schema: 'training', producer, logger: silentLogger, pollMs: 100 });
  // From the latest offset: the topic holds earlier runs' requests, and one with an empty dataset
  // id (monitoring's, "the latest") would queue a job on this database's dataset.
  const retraining = createInboxConsumer({
    pool, schema: 'training', name: 'training.training-requested', producer, logger: silentLogger,
    consumer: bus.consumer({ groupId: uniqueName('test.training.requested'), fromBeginning: false }),
  });
  // Publishes ingestion's events, XrayReceived among them, for inference's xray-received consumer.
  const ingestionRelay = createOutboxRelay({ pool, schema: 'ingestion', producer, logger: silentLogger, pollMs: 100 });

  const runtime = createOnnxRuntime({ intraOpThreads: 1, executionProvider: 'cpu', batch: { maxSize: 8, maxWaitMs: 2 } });
  const live = createLiveModels(runtime);
  const source = createModelSource(pool, modelDir);
  const sync = () => syncLiveModels({ source, runtime, live });
  const deployed = createModelDeployedConsumer(bus.consumer({ groupId: uniqueName('test.inference.deployed'), fromBeginning: false }), sync, silentLogger);
  const store = createPredictionStore(opts.inferencePool, { maxBatch: 1000 });
  const batchJobs = createBatchJobStore(pool);
  const datasetRows = createDatasetRows(pool);
  const images = createImageStore(blobDir);
  const codec = createImageCodec({ limits: { maxBytes: 50 * 1024 * 1024, maxPixels: 40_000_000 }, uidSecret: 'test-uid-secret-0123456789' });
  const inferenceMetrics = createMetricsRegistry('inference');
  const observer = createInferenceMetrics(inferenceMetrics, runtime);
  const inference = await buildInference({
    ...base('inference'), metrics: inferenceMetrics, observer, live, store, customers: createCustomerRecords(pool), batchJobs, datasetRows,
    codec, images, maxImageBytes: 50 * 1024 * 1024, source, runtime,
  });
  const batch = createBatchRunner({
    jobs: batchJobs, rows: datasetRows, newId: randomUUID, now: () => new Date(), logger: silentLogger,
    inference: { live, store, newId: randomUUID, now: () => new Date(), observer }, staleAfterMs: 1000, pollMs: 200,
  });
  // As inference's main.ts wires it, in a group of its own from the latest offset: the topic also
  // holds the studies of other test databases, whose blobs are not in this blobDir.
  const xrayReceived = createInboxConsumer({
    pool: opts.inferencePool, schema: 'inference', name: XRAY_RECEIVED_CONSUMER, producer, logger: silentLogger,
    consumer: bus.consumer({ groupId: uniqueName('test.inference.xray-received'), fromBeginning: false }),
  });

  relay.start();
  ingestionRelay.start();
  runner.start();
  await retraining.start([TOPICS.trainingRequested], createTrainingRequestedHandler({ jobs, datasets, now: () => new Date() }));
  await deployed.start();
  batch.start();
  await xrayReceived.start([TOPICS.xrayReceived], createXrayReceivedHandler({ live, store, codec, images, newId: randomUUID, now: () => new Date(), observer }));
  return {
    ingestion, training, inference, live, modelDir, blobDir, store,
    async close() {
      await runner.close();
      await retraining.close();
      await batch.close();
      trainer.close();
      await deployed.close();
      await xrayReceived.close();
      await relay.stop();
      await ingestionRelay.stop();
      await producer.close();
      await Promise.all([ingestion.close(), training.close(), inference.close()]);
    },
  };
}

/**
 * A test file's churn stack on its own database and the real broker: started before its tests,
 * closed after them, with one API key per named client (name → scopes).
 */
export function useChurnStack(clients: Record<string, string[]>, options: { monitoring?: boolean } = {}) {
  const bus = testBus();
  const admin = bus.admin();
  const ctx = { key: {} as Record<string, string> } as {
    db: TestDatabase; stack: Awaited<ReturnType<typeof startChurnStack>>; key: Record<string, string>;
    monitoring?: Awaited<ReturnType<typeof startMonitoringStack>>;
  };
  beforeAll(async () => {
    ctx.db = await createTestDatabase();
    ctx.stack = await startChurnStack({ pool: ctx.db.pool, inferencePool: ctx.db.pool, bus, admin });
    if (options.monitoring) ctx.monitoring = await startMonitoringStack({ pool: ctx.db.pool, inferencePool: ctx.db.pool, bus, admin });
    const keys = createApiKeyStore(ctx.db.pool);
    for (const [client, scopes] of Object.entries(clients)) ctx.key[client] = (await keys.create(client, scopes)).key;
  }, 120_000);
  afterAll(async () => {
    await ctx.monitoring?.close();
    await ctx.stack?.close();
    await admin.close();
    await ctx.db?.drop();
  });
  return ctx;
}

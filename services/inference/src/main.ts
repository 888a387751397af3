import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { createInboxConsumer, createPollingWorker, runService, TOPICS } from '@vigil/common';
import { createImageCodec } from './adapters/imaging/image-codec';
import { createImageStore } from './adapters/imaging/image-store';
import { createBatchMetrics, createInferenceMetrics } from './adapters/metrics/inference-metrics';
import { selectExecutionProvider } from './adapters/onnx/execution-providers';
import { createOnnxRuntime } from './adapters/onnx/model-runtime';
import { createBatchJobStore, createDatasetRows } from './adapters/postgres/batch-job-store';
import { createCustomerRecords } from './adapters/postgres/customer-records';
import { createModelSource } from './adapters/postgres/model-source';
import { createPredictionStore } from './adapters/postgres/prediction-store';
import { buildApp } from './app';
import { ConfigSchema } from './config';
import { createModelDeployedConsumer } from './consumers/model-deployed';
import { createXrayReceivedHandler, XRAY_RECEIVED_CONSUMER } from './consumers/xray-received';
import { scheduleBatch } from './domain/batch-scoring';
import { createLiveModels } from './domain/live-models';
import { CHURN_MODEL } from './domain/score-churn';
import { syncLiveModels } from './domain/sync-live-models';
import { createBatchRunner } from './jobs/batch-runner';

const RESYNC_MS = 30_000;

void runService({
  name: 'inference',
  configSchema: ConfigSchema,
  async start(rt) {
    const { config, logger } = rt;
    const runtime = createOnnxRuntime({
      intraOpThreads: config.ORT_INTRA_OP_THREADS,
      executionProvider: await selectExecutionProvider(config.ORT_EXECUTION_PROVIDERS, logger),
      batch: { maxSize: config.BATCH_MAX_SIZE, maxWaitMs: config.BATCH_MAX_WAIT_MS },
      onBatch: createBatchMetrics(rt.metrics).batch,
      logger,
    });
    const live = createLiveModels(runtime);
    const source = createModelSource(rt.pool, config.MODEL_REPOSITORY);
    const sync = async () => {
      const { loaded } = await syncLiveModels({ source, runtime, live });
      if (loaded.length) logger.info({ loaded, executionProvider: runtime.executionProvider }, 'live models loaded');
    };
    await sync();
    const resync = setInterval(() => void sync().catch((err) => logger.error({ err }, 'model resync failed')), RESYNC_MS);
    const deployed = createModelDeployedConsumer(
      rt.bus.consumer({ groupId: `inference.model-deployed.${hostname()}.${process.pid}`, fromBeginning: false }),
      sync,
      logger,
    );
    await deployed.start();
    const store = createPredictionStore(rt.pool, { maxBatch: config.AUDIT_MAX_BATCH, writers: config.AUDIT_WRITERS, onCommitted: rt.relay.kick });
    const batchJobs = createBatchJobStore(rt.pool);
    const datasetRows = createDatasetRows(rt.pool);
    const codec = createImageCodec({
      limits: { maxBytes: config.XRAY_MAX_BYTES, maxPixels: config.XRAY_MAX_PIXELS }, uidSecret: config.DEIDENTIFY_UID_SECRET,
    });
    const images = createImageStore(config.BLOB_STORE_DIR);
    const observer = createInferenceMetrics(rt.metrics, runtime);
    const app = await buildApp({
      logger, metrics: rt.metrics, apiKeys: rt.apiKeys, readiness: rt.readiness,
      live, store, customers: createCustomerRecords(rt.pool), batchJobs, datasetRows,
      codec, images, maxImageBytes: config.XRAY_MAX_BYTES,
      source, runtime, observer,
    });
    // Studies that ingestion stored (POST /v1/xray/studies, STOW-RS) are predicted here, audited as
    // POST /v1/xray/predict is. One group for all replicas: each study is predicted once.
    const xrayReceived = createInboxConsumer({
      pool: rt.pool, schema: 'inference', name: XRAY_RECEIVED_CONSUMER, consumer: rt.bus.consumer({ groupId: XRAY_RECEIVED_CONSUMER }),
      producer: rt.producer, logger,
    });
    await xrayReceived.start([TOPICS.xrayReceived], createXrayReceivedHandler({ live, store, codec, images, newId: randomUUID, now: () => new Date(), observer }));
    const batch = createBatchRunner({
      jobs: batchJobs, rows: datasetRows, newId: randomUUID, now: () => new Date(), logger,
      inference: { live, store, newId: randomUUID, now: () => new Date(), observer },
      staleAfterMs: config.BATCH_STALE_AFTER_MS,
    });
    batch.start();
    const schedule = createPollingWorker(
      async () => {
        const job = await scheduleBatch(config.CHURN_BATCH_INTERVAL_MS, {
          jobs: batchJobs, rows: datasetRows, newId: randomUUID, now: () => new Date(), modelLive: () => Boolean(live.get(CHURN_MODEL)),
        });
        if (job) logger.info({ jobId: job.id, datasetId: job.datasetId }, 'scheduled churn batch queued');
      },
      { pollMs: 60_000, logger, name: 'batch-schedule' },
    );
    if (config.CHURN_BATCH_INTERVAL_MS > 0) schedule.start();
    return { app, consumers: [deployed, xrayReceived, batch, schedule, { close: async () => clearInterval(resync) }] };
  },
});

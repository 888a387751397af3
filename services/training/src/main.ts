import { createInboxConsumer, runService, TOPICS } from '@vigil/common';
import { resolveCodeCommit } from './adapters/code-commit';
import { createDatasetReader } from './adapters/postgres/dataset-reader';
import { createJobStore } from './adapters/postgres/job-store';
import { createRegistrationStore } from './adapters/postgres/registration-store';
import { createRegistryStore } from './adapters/postgres/registry-store';
import { createModelInspector } from './adapters/onnx/model-inspector';
import { createModelRepository } from './adapters/storage/model-repository';
import { createChildHoldoutScorer } from './adapters/worker/child-holdout-scorer';
import { createChildTrainer } from './adapters/worker/child-trainer';
import { buildApp } from './app';
import { ConfigSchema } from './config';
import { createJobRunner } from './jobs/job-runner';
import { createTrainingRequestedHandler, TRAINING_REQUESTED_CONSUMER } from './consumers/training-requested';

void runService({
  name: 'training',
  configSchema: ConfigSchema,
  async start(rt) {
    const { config } = rt;
    const repository = createModelRepository(config.MODEL_REPOSITORY);
    const jobs = createJobStore(rt.pool, repository);
    const datasets = createDatasetReader(rt.pool);
    const registry = createRegistryStore(rt.pool);
    const trainer = createChildTrainer({
      blobDir: config.BLOB_STORE_DIR,
      xray: { targetRecall: config.XRAY_TARGET_RECALL, confidenceLogitMargin: config.XRAY_CONFIDENCE_LOGIT_MARGIN },
    });
    const images = createChildHoldoutScorer({ repositoryRoot: config.MODEL_REPOSITORY, blobDir: config.BLOB_STORE_DIR });
    const runner = createJobRunner({
      jobs, datasets, trainer, logger: rt.logger,
      promote: { registry, datasets, images, margin: config.PROMOTION_MARGIN },
      codeCommit: resolveCodeCommit(config.VIGIL_CODE_COMMIT),
      seed: config.TRAINING_SEED,
      staleAfterMs: config.JOB_STALE_AFTER_MS,
      maxAttempts: config.JOB_MAX_ATTEMPTS,
    });
    const app = await buildApp({
      logger: rt.logger, metrics: rt.metrics, apiKeys: rt.apiKeys, readiness: rt.readiness,
      jobs, datasets, registry, promotionMargin: config.PROMOTION_MARGIN,
      images,
      registration: { inspector: createModelInspector(), store: createRegistrationStore(rt.pool, repository), maxModelBytes: config.MODEL_MAX_BYTES, files: repository },
    });
    runner.start();
    // Retraining asked for by monitoring (policy breaches) arrives as training-requested events.
    const requested = createInboxConsumer({
      pool: rt.pool, schema: 'training', name: TRAINING_REQUESTED_CONSUMER, consumer: rt.bus.consumer({ groupId: TRAINING_REQUESTED_CONSUMER }),
      producer: rt.producer, logger: rt.logger,
    });
    await requested.start([TOPICS.trainingRequested], createTrainingRequestedHandler({ jobs, datasets, now: () => new Date() }));
    // A job in progress is abandoned on shutdown (its child killed); its stale heartbeat makes
    // the next start requeue it.
    const stopTraining = { close: async () => { await runner.close(); trainer.close(); } };
    return { app, consumers: [requested, stopTraining] };
  },
});

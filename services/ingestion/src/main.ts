import { runService } from '@vigil/common';
import { createDatasetStore } from './adapters/postgres/dataset-store';
import { createFeedbackStore } from './adapters/postgres/feedback-store';
import { buildApp } from './app';
import { ConfigSchema } from './config';

void runService({
  name: 'ingestion',
  configSchema: ConfigSchema,
  async start(rt) {
    const app = await buildApp({
      logger: rt.logger,
      metrics: rt.metrics,
      apiKeys: rt.apiKeys,
      readiness: rt.readiness,
      // Publish right after commit instead of waiting for the next poll.
      feedbackStore: createFeedbackStore(rt.pool, { onCommitted: rt.relay.kick }),
      datasetStore: createDatasetStore(rt.pool, { onCommitted: rt.relay.kick }),
    });
    return { app };
  },
});

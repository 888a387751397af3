import { createFileBlobStore, runService } from '@vigil/common';
import { createDatasetStore } from './adapters/postgres/dataset-store';
import { createFeedbackStore } from './adapters/postgres/feedback-store';
import { createXrayDatasetStore } from './adapters/postgres/xray-dataset-store';
import { createImageProbe } from './adapters/sharp/image-probe';
import { buildApp } from './app';
import { ConfigSchema } from './config';

void runService({
  name: 'ingestion',
  configSchema: ConfigSchema,
  async start(rt) {
    const { config } = rt;
    const app = await buildApp({
      logger: rt.logger,
      metrics: rt.metrics,
      apiKeys: rt.apiKeys,
      readiness: rt.readiness,
      // Publish right after commit instead of waiting for the next poll.
      feedbackStore: createFeedbackStore(rt.pool, { onCommitted: rt.relay.kick }),
      datasetStore: createDatasetStore(rt.pool, { onCommitted: rt.relay.kick }),
      xray: {
        store: createXrayDatasetStore(rt.pool, { onCommitted: rt.relay.kick }),
        blobs: createFileBlobStore(config.BLOB_STORE_DIR),
        images: createImageProbe(),
        maxArchiveBytes: config.XRAY_MAX_ARCHIVE_BYTES,
        maxImagePixels: config.XRAY_MAX_IMAGE_PIXELS,
      },
    });
    return { app };
  },
});

import { createFileBlobStore, runService } from '@vigil/common';
import { createStudyCodec } from './adapters/imaging/study-codec';
import { createDatasetStore } from './adapters/postgres/dataset-store';
import { createFeedbackStore } from './adapters/postgres/feedback-store';
import { createStudyPredictionReader } from './adapters/postgres/study-prediction-reader';
import { createStudyStore } from './adapters/postgres/study-store';
import { createXrayDatasetStore } from './adapters/postgres/xray-dataset-store';
import { createImageProbe } from './adapters/sharp/image-probe';
import { buildApp } from './app';
import { ConfigSchema } from './config';

void runService({
  name: 'ingestion',
  configSchema: ConfigSchema,
  async start(rt) {
    const { config } = rt;
    const blobs = createFileBlobStore(config.BLOB_STORE_DIR);
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
        blobs,
        images: createImageProbe(),
        maxArchiveBytes: config.XRAY_MAX_ARCHIVE_BYTES,
        maxImagePixels: config.XRAY_MAX_IMAGE_PIXELS,
      },
      studies: {
        store: createStudyStore(rt.pool, { onCommitted: rt.relay.kick }),
        predictions: createStudyPredictionReader(rt.pool),
        codec: createStudyCodec({
          limits: { maxBytes: config.XRAY_MAX_BYTES, maxPixels: config.XRAY_MAX_PIXELS }, uidSecret: config.DEIDENTIFY_UID_SECRET,
        }),
        blobs,
        maxImageBytes: config.XRAY_MAX_BYTES,
        maxStowBytes: config.STOW_MAX_BODY_BYTES,
      },
    });
    return { app };
  },
});

import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import { createApiKeyStore, createFileBlobStore, createMetricsRegistry, pingPostgres, type KafkaAdmin, type Pool } from '@vigil/common';
import { createStudyCodec } from '../../services/ingestion/src/adapters/imaging/study-codec';
import { createDatasetStore } from '../../services/ingestion/src/adapters/postgres/dataset-store';
import { createFeedbackStore } from '../../services/ingestion/src/adapters/postgres/feedback-store';
import { createStudyPredictionReader } from '../../services/ingestion/src/adapters/postgres/study-prediction-reader';
import { createStudyStore } from '../../services/ingestion/src/adapters/postgres/study-store';
import { createXrayDatasetStore } from '../../services/ingestion/src/adapters/postgres/xray-dataset-store';
import { createImageProbe } from '../../services/ingestion/src/adapters/sharp/image-probe';
import { buildApp } from '../../services/ingestion/src/app';
import { silentLogger } from './kafka';

/** DEIDENTIFY_UID_SECRET of the test apps: the one churn-stack gives inference, as production shares one. */
export const TEST_UID_SECRET = 'test-uid-secret-0123456789';

/** The ingestion app wired to real adapters, as main.ts wires it; images go to `blobDir` (a fresh temp dir by default). */
export function buildIngestionApp(
  pool: Pool,
  admin: KafkaAdmin,
  blobDir = mkdtempSync(path.join(os.tmpdir(), 'vigil-blobs-')),
  limits: { maxArchiveBytes?: number; maxImagePixels?: number } = {},
  logger: Logger = silentLogger,
) {
  const blobs = createFileBlobStore(blobDir);
  return buildApp({
    logger,
    metrics: createMetricsRegistry('ingestion'),
    apiKeys: createApiKeyStore(pool),
    readiness: { postgres: () => pingPostgres(pool), kafka: () => admin.ping() },
    feedbackStore: createFeedbackStore(pool),
    datasetStore: createDatasetStore(pool),
    xray: {
      store: createXrayDatasetStore(pool),
      blobs,
      images: createImageProbe(),
      maxArchiveBytes: limits.maxArchiveBytes ?? 1 << 30,
      maxImagePixels: limits.maxImagePixels ?? 50_000_000,
    },
    studies: {
      store: createStudyStore(pool),
      predictions: createStudyPredictionReader(pool),
      codec: createStudyCodec({ limits: { maxBytes: 50 * 1024 * 1024, maxPixels: 40_000_000 }, uidSecret: TEST_UID_SECRET }),
      blobs,
      maxImageBytes: 50 * 1024 * 1024,
      maxStowBytes: 256 * 1024 * 1024,
    },
  });
}

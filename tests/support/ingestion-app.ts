import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApiKeyStore, createFileBlobStore, createMetricsRegistry, pingPostgres, type KafkaAdmin, type Pool } from '@vigil/common';
import { createDatasetStore } from '../../services/ingestion/src/adapters/postgres/dataset-store';
import { createFeedbackStore } from '../../services/ingestion/src/adapters/postgres/feedback-store';
import { createXrayDatasetStore } from '../../services/ingestion/src/adapters/postgres/xray-dataset-store';
import { createImageProbe } from '../../services/ingestion/src/adapters/sharp/image-probe';
import { buildApp } from '../../services/ingestion/src/app';
import { silentLogger } from './kafka';

/** The ingestion app wired to real adapters, as main.ts wires it; images go to `blobDir` (a fresh temp dir by default). */
export function buildIngestionApp(
  pool: Pool,
  admin: KafkaAdmin,
  blobDir = mkdtempSync(path.join(os.tmpdir(), 'vigil-blobs-')),
  limits: { maxArchiveBytes?: number; maxImagePixels?: number } = {},
) {
  return buildApp({
    logger: silentLogger,
    metrics: createMetricsRegistry('ingestion'),
    apiKeys: createApiKeyStore(pool),
    readiness: { postgres: () => pingPostgres(pool), kafka: () => admin.ping() },
    feedbackStore: createFeedbackStore(pool),
    datasetStore: createDatasetStore(pool),
    xray: {
      store: createXrayDatasetStore(pool),
      blobs: createFileBlobStore(blobDir),
      images: createImageProbe(),
      maxArchiveBytes: limits.maxArchiveBytes ?? 1 << 30,
      maxImagePixels: limits.maxImagePixels ?? 50_000_000,
    },
  });
}

/**
 * Through buildApp on real Postgres: the execution provider chosen at start (with the real probes)
 * shows in OIP V2 model metadata and in /metrics, and concurrent OIP infer requests for one model
 * share a session run while each gets its own, audited, answer.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApiKeyStore, createMetricsRegistry, type Logger, type VigilApp } from '@vigil/common';
import { createImageCodec } from '../../src/adapters/imaging/image-codec';
import { createImageStore } from '../../src/adapters/imaging/image-store';
import type { BatchRun } from '../../src/adapters/onnx/batched-runs';
import { selectExecutionProvider, type ExecutionProvider } from '../../src/adapters/onnx/execution-providers';
import { createOnnxRuntime } from '../../src/adapters/onnx/model-runtime';
import { createBatchJobStore, createDatasetRows } from '../../src/adapters/postgres/batch-job-store';
import { createCustomerRecords } from '../../src/adapters/postgres/customer-records';
import { createModelSource } from '../../src/adapters/postgres/model-source';
import { createPredictionStore } from '../../src/adapters/postgres/prediction-store';
import { buildApp } from '../../src/app';
import { createLiveModels } from '../../src/domain/live-models';
import { createTestDatabase, type TestDatabase } from '../../../../tests/support/database';
import { silentLogger } from '../../../../tests/support/kafka';
import { images, imageModel } from '../support/image-model';

const fixture = imageModel();

describe('execution provider and dynamic batching through buildApp', () => {
  let db: TestDatabase;
  let app: VigilApp;
  let key: string;
  let provider: ExecutionProvider;
  let embeddings: number[][];
  const warnings: { provider: string; reason: string }[] = [];
  const runs: BatchRun[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    const logger = { warn: (fields: { provider: string; reason: string }) => warnings.push(fields) } as unknown as Logger;
    provider = await selectExecutionProvider('cuda,webgpu,cpu', logger);
    // A wide batch window: requests started together must meet even on a slow, shared machine.
    const runtime = createOnnxRuntime({ intraOpThreads: 1, executionProvider: provider, batch: { maxSize: 8, maxWaitMs: 100 }, onBatch: (r) => runs.push(r) });
    const live = createLiveModels(runtime);
    const model = await runtime.load(fixture.ref, fixture.head, fixture.config, fixture.files);
    live.swap(model);
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'vigil-inference-'));
    app = await buildApp({
      logger: silentLogger, metrics: createMetricsRegistry('inference'), apiKeys: createApiKeyStore(db.pool, { cacheTtlMs: 60_000 }), readiness: {},
      live, store: createPredictionStore(db.pool, { maxBatch: 100 }), customers: createCustomerRecords(db.pool),
      batchJobs: createBatchJobStore(db.pool), datasetRows: createDatasetRows(db.pool),
      codec: createImageCodec({ limits: { maxBytes: 1024 * 1024, maxPixels: 1_000_000 }, uidSecret: 'test-uid-secret-0123456789' }),
      images: createImageStore(tmp), maxImageBytes: 1024 * 1024, source: createModelSource(db.pool, tmp), runtime,
    });
    key = (await createApiKeyStore(db.pool).create('pacs-gateway', ['xray:submit'])).key;
    embeddings = [];
    for (let i = 0; i < 6; i++) embeddings.push(Array.from(await model.embed!(images(1, i), 1)));
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  const get = (url: string) => app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${key}` } });
  const infer = (embedding: number[]) =>
    app.inject({
      method: 'POST', url: '/v2/models/xray-pneumonia/infer', headers: { authorization: `Bearer ${key}` },
      payload: { inputs: [{ name: 'embedding', shape: [1, embedding.length], datatype: 'FP32', data: embedding }] },
    });

  test('without a GPU here, cuda and webgpu are each passed over once with a reason, and cpu serves', () => {
    // The test machines have no GPU: CUDA's provider library is not installed and WebGPU finds no adapter.
    expect(provider).toBe('cpu');
    expect(warnings.map((w) => w.provider)).toEqual(['cuda', 'webgpu']);
    expect(warnings.every((w) => w.reason.length > 0)).toBe(true);
  });

  test('OIP V2 model metadata names the platform and the execution provider, in the KServe shape', async () => {
    for (const url of ['/v2/models/xray-pneumonia', '/v2/models/xray-pneumonia/versions/1']) {
      const res = await get(url);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        name: 'xray-pneumonia',
        versions: ['1'],
        platform: 'onnxruntime_onnx',
        inputs: fixture.config.inputs,
        outputs: fixture.config.outputs,
        parameters: { sha256: fixture.ref.sha256, pipeline: 'xray', threshold: 0.5, execution_provider: 'cpu' },
      });
    }
  });

  test('/metrics has the active provider as a gauge', async () => {
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(text).toMatch(/^vigil_inference_execution_provider\{provider="cpu"[^}]*\} 1$/m);
  });

  test('concurrent OIP infer requests share one session run, and each gets the answer it gets alone', async () => {
    const alone: { outputs: unknown }[] = [];
    for (const e of embeddings) alone.push((await infer(e)).json());
    runs.splice(0);
    const together = (await Promise.all(embeddings.map(infer))).map((r) => r.json());
    expect(runs.filter((r) => r.model === 'xray-pneumonia').map((r) => r.rows)).toEqual([6]);
    together.forEach((body, i) => {
      expect(body.outputs).toEqual(alone[i].outputs);
      expect(body.parameters.prediction_ids).toHaveLength(1);
    });
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    const queued = Number(/^nv_inference_queue_duration_us\{[^}]*model="xray-pneumonia"[^}]*\} (\S+)$/m.exec(text)?.[1]);
    const computed = Number(/^nv_inference_compute_infer_duration_us\{[^}]*model="xray-pneumonia"[^}]*\} (\S+)$/m.exec(text)?.[1]);
    // 12 requests each waited up to the 100 ms window: far more queue time than head compute time.
    expect(queued).toBeGreaterThan(100_000);
    expect(computed).toBeGreaterThan(0);
    expect(computed).toBeLessThan(queued);
  });
});

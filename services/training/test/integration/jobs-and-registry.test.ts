import { randomUUID } from 'node:crypto';
import { createApiKeyStore, createMetricsRegistry, type VigilApp } from '@vigil/common';
import { createTestDatabase, type TestDatabase } from '../../../../tests/support/database';
import { silentLogger } from '../../../../tests/support/kafka';
import { createDatasetReader } from '../../src/adapters/postgres/dataset-reader';
import { createJobStore } from '../../src/adapters/postgres/job-store';
import { createModelInspector } from '../../src/adapters/onnx/model-inspector';
import { createRegistrationStore } from '../../src/adapters/postgres/registration-store';
import { createRegistryStore } from '../../src/adapters/postgres/registry-store';
import { createModelRepository } from '../../src/adapters/storage/model-repository';
import { buildApp } from '../../src/app';

describe('training jobs and registry: bad requests and dead processes', () => {
  let db: TestDatabase;
  let app: VigilApp;
  let key = '';
  const jobs = () => createJobStore(db.pool, createModelRepository('/nonexistent'));

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await buildApp({
      logger: silentLogger, metrics: createMetricsRegistry('training'), apiKeys: createApiKeyStore(db.pool), readiness: {},
      jobs: jobs(), datasets: createDatasetReader(db.pool), registry: createRegistryStore(db.pool), promotionMargin: 0.01,
      registration: { inspector: createModelInspector(), store: createRegistrationStore(db.pool, createModelRepository('/nonexistent')), maxModelBytes: 1 << 20, files: createModelRepository('/nonexistent') },
    });
    key = (await createApiKeyStore(db.pool).create('ml', ['models:admin'])).key;
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  const post = (url: string, payload: object) => app.inject({ method: 'POST', url, payload, headers: { authorization: `Bearer ${key}` } });

  test('a job for an unknown pipeline is 400, for an unknown dataset 422, and neither is queued', async () => {
    const pipeline = await post('/v1/training/jobs', { pipeline: 'astrology', datasetId: randomUUID() });
    expect(pipeline.statusCode).toBe(400);
    const dataset = await post('/v1/training/jobs', { pipeline: 'churn', datasetId: randomUUID() });
    expect(dataset.statusCode).toBe(422);
    expect(dataset.json().detail).toMatch(/No churn dataset/);
    expect((await db.pool.query('SELECT 1 FROM training.jobs')).rowCount).toBe(0);
    expect((await app.inject({ method: 'GET', url: `/v1/training/jobs/${randomUUID()}`, headers: { authorization: `Bearer ${key}` } })).statusCode).toBe(404);
  });

  test('promoting a version that does not exist is 404; rolling back a model never deployed is 404', async () => {
    expect((await post('/v1/models/churn/versions/9/promote', {})).statusCode).toBe(404);
    expect((await post('/v1/models/churn/rollback', {})).statusCode).toBe(404);
    expect((await post('/v1/models/Bad%20Name/rollback', {})).statusCode).toBe(400);
  });

  test('a job left running by a dead process is requeued, and after its last attempt marked failed with a reason', async () => {
    const id = randomUUID();
    await db.pool.query(
      `INSERT INTO training.jobs (id, pipeline, dataset_id, status, attempts, requested_by, started_at, heartbeat_at)
       VALUES ($1, 'churn', $2, 'running', 1, 'ml', now() - interval '5 minutes', now() - interval '5 minutes')`,
      [id, randomUUID()],
    );
    const store = jobs();
    expect(await store.recoverStale(30_000, 2)).toEqual({ requeued: [id], failed: [] });
    expect((await store.get(id))!.status).toBe('queued');

    const claimed = await store.claimNext();
    expect(claimed).toMatchObject({ id, status: 'running', attempts: 2 });
    await db.pool.query(`UPDATE training.jobs SET heartbeat_at = now() - interval '5 minutes' WHERE id = $1`, [id]);
    expect(await store.recoverStale(30_000, 2)).toEqual({ requeued: [], failed: [id] });
    const failed = await store.get(id);
    expect(failed).toMatchObject({ status: 'failed', error: expect.stringMatching(/stopped while running/) });
    const events = await db.pool.query(`SELECT count(*)::int AS n FROM training.outbox WHERE topic = 'vigil.training.completed.v1'`);
    expect(events.rows[0].n).toBe(1);
  });

  test('a job whose heartbeat is fresh is left alone', async () => {
    const id = randomUUID();
    await db.pool.query(
      `INSERT INTO training.jobs (id, pipeline, dataset_id, status, attempts, requested_by, started_at, heartbeat_at)
       VALUES ($1, 'churn', $2, 'running', 1, 'ml', now(), now())`,
      [id, randomUUID()],
    );
    expect(await jobs().recoverStale(30_000, 2)).toEqual({ requeued: [], failed: [] });
  });
});

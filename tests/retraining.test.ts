import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createApiKeyStore, stageEvent, TOPICS, withTransaction, type VigilApp } from '@vigil/common';
import { startChurnStack } from './support/churn-stack';
import { createTestDatabase, type TestDatabase } from './support/database';
import { testBus, waitFor } from './support/kafka';
import { TELCO_CSV } from './support/shared-data';

// 2,000 customers: enough for a stable model, quick to train three times.
const csv = readFileSync(TELCO_CSV, 'utf8').split(/\r?\n/).slice(0, 2001).join('\n');

describe('retraining asked for over Kafka: the new version waits for approval unless the model auto-promotes', () => {
  let db: TestDatabase;
  let stack: Awaited<ReturnType<typeof startChurnStack>>;
  const bus = testBus();
  const admin = bus.admin();
  let key = '';
  let datasetId = '';

  beforeAll(async () => {
    db = await createTestDatabase();
    stack = await startChurnStack({ pool: db.pool, inferencePool: db.pool, bus, admin });
    key = (await createApiKeyStore(db.pool).create('ml-engineer', ['models:admin'])).key;
  });
  afterAll(async () => {
    await stack?.close();
    await admin.close();
    await db.drop();
  });

  const call = (app: VigilApp, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, contentType = 'application/json') =>
    app.inject({ method, url, headers: { authorization: `Bearer ${key}`, 'content-type': contentType }, payload: payload as string });
  const versions = async () => (await call(stack.training, 'GET', '/v1/models/churn/versions')).json();

  /** What monitoring does on a policy breach: a TrainingRequested event, published by an outbox relay. */
  async function requestRetraining(reason: string): Promise<string> {
    const jobId = randomUUID();
    await withTransaction(db.pool, (tx) =>
      stageEvent(tx, 'training', 'monitoring', TOPICS.trainingRequested, { jobId, pipeline: 'churn', datasetId, reason, requestedBy: 'monitoring' }),
    );
    return jobId;
  }
  const jobDone = (jobId: string) =>
    waitFor(
      async () => (await call(stack.training, 'GET', `/v1/training/jobs/${jobId}`)).json(),
      (j) => j.status === 'succeeded' || j.status === 'failed',
      120_000,
    );

  test('a person trains and promotes version 1', async () => {
    const uploaded = await call(stack.ingestion, 'POST', '/v1/datasets/churn', csv, 'text/csv');
    datasetId = uploaded.json().datasetId;
    const queued = await call(stack.training, 'POST', '/v1/training/jobs', { pipeline: 'churn', datasetId });
    expect((await jobDone(queued.json().jobId)).status).toBe('succeeded');
    expect((await call(stack.training, 'POST', '/v1/models/churn/versions/1/promote', {})).statusCode).toBe(200);
    expect((await versions()).versions[0]).toMatchObject({ version: 1, status: 'live', trainedFor: 'api' });
  }, 150_000);

  test('with auto-promotion off (the default), a retrained version is listed as awaiting approval and nothing changes live', async () => {
    const jobId = await requestRetraining('policy_breach:roc_auc');
    const job = await jobDone(jobId);
    expect(job).toMatchObject({ status: 'succeeded', datasetId, models: [{ name: 'churn', version: 2 }] });
    const listed = await versions();
    expect(listed.liveVersion).toBe(1);
    expect(listed.versions[1]).toMatchObject({ version: 2, status: 'awaiting-approval', trainedFor: 'policy_breach:roc_auc' });
    const settings = await call(stack.training, 'GET', '/v1/models/churn/settings');
    expect(settings.json()).toMatchObject({ name: 'churn', autoPromote: false });
  }, 150_000);

  test('with auto-promotion on, the retrained version goes live through the promotion gate', async () => {
    const set = await call(stack.training, 'PUT', '/v1/models/churn/settings', { autoPromote: true });
    expect(set.json()).toMatchObject({ autoPromote: true, updatedBy: 'ml-engineer' });
    const jobId = await requestRetraining('policy_breach:recall');
    await jobDone(jobId);
    await waitFor(versions, (v) => v.liveVersion === 3, 60_000);
    const history = (await call(stack.training, 'GET', '/v1/models/churn/history')).json().deployments;
    expect(history.at(-1)).toMatchObject({ version: 3, previousVersion: 1, actor: 'auto-promotion', reason: 'retrained: policy_breach:recall' });
    // Version 2 is no longer newer than the live one: a plain stored version now.
    expect((await versions()).versions[1].status).toBe('available');
  }, 150_000);

  test('the same request delivered twice queues one job', async () => {
    const before = (await db.pool.query('SELECT count(*)::int AS n FROM training.jobs')).rows[0].n;
    const jobId = randomUUID();
    for (let i = 0; i < 2; i++) {
      await withTransaction(db.pool, (tx) =>
        stageEvent(tx, 'training', 'monitoring', TOPICS.trainingRequested, { jobId, pipeline: 'churn', datasetId, reason: 'drift', requestedBy: 'monitoring' }),
      );
    }
    await jobDone(jobId);
    expect((await db.pool.query('SELECT count(*)::int AS n FROM training.jobs')).rows[0].n).toBe(before + 1);
  }, 150_000);
});

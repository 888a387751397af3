import { randomUUID } from 'node:crypto';
import { createApiKeyStore, createMetricsRegistry, decodeEvent, DeployAction, TOPICS, type VigilApp } from '@vigil/common';
import { createTestDatabase, type TestDatabase } from '../../../../tests/support/database';
import { silentLogger } from '../../../../tests/support/kafka';
import { createDatasetReader } from '../../src/adapters/postgres/dataset-reader';
import { createJobStore } from '../../src/adapters/postgres/job-store';
import { createModelInspector } from '../../src/adapters/onnx/model-inspector';
import { createRegistrationStore } from '../../src/adapters/postgres/registration-store';
import { createRegistryStore } from '../../src/adapters/postgres/registry-store';
import { createModelRepository } from '../../src/adapters/storage/model-repository';
import { buildApp } from '../../src/app';

describe('POST /v1/models/{name}/decommission: a model taken out of service, its history kept', () => {
  let db: TestDatabase;
  let app: VigilApp;
  let admin = '';

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await buildApp({
      logger: silentLogger, metrics: createMetricsRegistry('training'), apiKeys: createApiKeyStore(db.pool), readiness: {},
      jobs: createJobStore(db.pool, createModelRepository('/nonexistent')), datasets: createDatasetReader(db.pool), registry: createRegistryStore(db.pool),
      promotionMargin: 0.01,
      registration: { inspector: createModelInspector(), store: createRegistrationStore(db.pool, createModelRepository('/nonexistent')), maxModelBytes: 1 << 20, files: createModelRepository('/nonexistent') },
    });
    admin = (await createApiKeyStore(db.pool).create('ml-lead', ['models:admin'])).key;
    // Two registered versions of "legacy" (no holdout needed: the first promotion has nothing to be compared with).
    const jobId = randomUUID();
    await db.pool.query(`INSERT INTO training.jobs (id, pipeline, dataset_id, status, requested_by) VALUES ($1, 'churn', $2, 'succeeded', 'ml')`, [jobId, randomUUID()]);
    for (const version of [1, 2]) {
      await db.pool.query(
        `INSERT INTO training.model_versions (name, version, sha256, job_id, dataset_id, dataset_sha256, metrics, config)
         VALUES ('legacy', $1, $2, $3, $4, 'ds', '{}', '{"threshold": 0.5}')`,
        [version, `${'ab'.repeat(31)}0${version}`, jobId, randomUUID()],
      );
    }
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  const call = (method: 'GET' | 'POST', url: string, payload?: object, key = admin) =>
    app.inject({ method, url, payload, headers: { authorization: `Bearer ${key}` } });
  const deployedEvents = async () =>
    (await db.pool.query(`SELECT payload FROM training.outbox WHERE topic = $1 ORDER BY seq`, [TOPICS.modelDeployed])).rows.map((r) =>
      decodeEvent(TOPICS.modelDeployed, r.payload));

  test('after a decommission the model has no live version, the history says who and why, and ModelDeployed announces it', async () => {
    expect((await call('POST', '/v1/models/legacy/versions/2/promote', {})).statusCode).toBe(200);
    const res = await call('POST', '/v1/models/legacy/decommission', { reason: 'replaced by churn; no traffic for 45 days' });
    expect(res.statusCode).toBe(200);
    expect(res.json().deployment).toMatchObject({
      name: 'legacy', version: 2, previousVersion: 2, action: 'decommission', actor: 'ml-lead', reason: 'replaced by churn; no traffic for 45 days',
    });

    expect((await call('GET', '/v1/models/legacy/versions')).json()).toMatchObject({ liveVersion: null, versions: [{ status: 'available' }, { status: 'available' }] });
    expect((await call('GET', '/v1/models')).json().models).toEqual([{ name: 'legacy', latestVersion: 2, liveVersion: null }]);
    const history = (await call('GET', '/v1/models/legacy/history')).json().deployments;
    expect(history.map((d: { action: string; version: number }) => [d.action, d.version])).toEqual([['promote', 2], ['decommission', 2]]);

    const [, decommissioned] = await deployedEvents();
    expect(decommissioned).toMatchObject({
      modelName: 'legacy', version: '', previousVersion: '2', modelSha256: '', action: DeployAction.DECOMMISSION, actor: 'ml-lead',
    });
  });

  test('a decommissioned model cannot be decommissioned or rolled back again; a promotion re-activates it', async () => {
    expect((await call('POST', '/v1/models/legacy/decommission', { reason: 'again' })).statusCode).toBe(409);
    expect((await call('POST', '/v1/models/legacy/rollback', {})).statusCode).toBe(404);
    const promoted = await call('POST', '/v1/models/legacy/versions/1/promote', {});
    expect(promoted.statusCode).toBe(200);
    expect(promoted.json().deployment).toMatchObject({ version: 1, previousVersion: null, action: 'promote' });
    expect((await call('GET', '/v1/models/legacy/versions')).json().liveVersion).toBe(1);
    expect((await deployedEvents()).at(-1)).toMatchObject({ version: '1', action: DeployAction.PROMOTE });
  });

  test('decommissioning needs a reason, a known model and models:admin', async () => {
    expect((await call('POST', '/v1/models/legacy/decommission', {})).statusCode).toBe(400);
    expect((await call('POST', '/v1/models/legacy/decommission', { reason: '   ' })).statusCode).toBe(400);
    expect((await call('POST', '/v1/models/astrology/decommission', { reason: 'unused' })).statusCode).toBe(404);
    const reader = (await createApiKeyStore(db.pool).create('auditor', ['audit:read'])).key;
    expect((await call('POST', '/v1/models/legacy/decommission', { reason: 'unused' }, reader)).statusCode).toBe(403);
    expect((await call('GET', '/v1/models/legacy/versions')).json().liveVersion).toBe(1);
  });
});

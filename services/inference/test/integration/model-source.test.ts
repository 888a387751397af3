import { randomUUID } from 'node:crypto';
import { createPool, type Pool } from '@vigil/common';
import { createModelSource } from '../../src/adapters/postgres/model-source';
import { createTestDatabase, type TestDatabase } from '../../../../tests/support/database';

describe('live versions from the registry, as inference reads them', () => {
  let db: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    db = await createTestDatabase();
    // As the service runs: with the read grants vigil_inference has on training's tables.
    pool = createPool({ connectionString: db.url, applicationName: 'inference-under-test', role: 'vigil_inference' });
    const jobId = randomUUID();
    await db.pool.query(`INSERT INTO training.jobs (id, pipeline, dataset_id, status, requested_by) VALUES ($1, 'churn', $2, 'succeeded', 'test')`, [jobId, randomUUID()]);
    for (const [name, version] of [['churn', 1], ['churn', 2], ['xray-type', 1]] as const) {
      await db.pool.query(
        `INSERT INTO training.model_versions (name, version, sha256, job_id, dataset_id, dataset_sha256, metrics, config) VALUES ($1, $2, $3, $4, $5, 'ds', '{}', '{}')`,
        [name, version, `sha-${name}-${version}`, jobId, randomUUID()],
      );
    }
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  const deploy = (name: string, version: number, action: 'promote' | 'rollback' | 'decommission', previous: number | null = null) =>
    db.pool.query(`INSERT INTO training.deployments (name, version, previous_version, action, actor) VALUES ($1, $2, $3, $4, 'ml')`, [name, version, previous, action]);
  const live = async () => (await createModelSource(pool, '/nonexistent').liveVersions()).sort((a, b) => a.name.localeCompare(b.name));

  test('a model whose latest deployment is a decommission has no live version; promoting again brings it back', async () => {
    await deploy('churn', 1, 'promote');
    await deploy('churn', 2, 'promote', 1);
    await deploy('xray-type', 1, 'promote');
    expect(await live()).toEqual([{ name: 'churn', version: 2, sha256: 'sha-churn-2' }, { name: 'xray-type', version: 1, sha256: 'sha-xray-type-1' }]);

    await deploy('churn', 2, 'decommission', 2);
    expect(await live()).toEqual([{ name: 'xray-type', version: 1, sha256: 'sha-xray-type-1' }]);

    await deploy('churn', 1, 'promote');
    expect(await live()).toEqual([{ name: 'churn', version: 1, sha256: 'sha-churn-1' }, { name: 'xray-type', version: 1, sha256: 'sha-xray-type-1' }]);
  });

  test('the deployments table refuses an action it does not know', async () => {
    await expect(deploy('churn', 1, 'retire' as 'promote')).rejects.toThrow(/deployments_action_check/);
  });
});

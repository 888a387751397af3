import { createApiKeyStore, createPool, type Pool, type VigilApp } from '@vigil/common';
import { createTestDatabase, type TestDatabase } from '../../../../tests/support/database';
import { buildIngestionApp } from '../../../../tests/support/ingestion-app';
import { testBus } from '../../../../tests/support/kafka';
import { telcoCsv, telcoRow } from '../support/churn-tables';
import { uploader } from '../support/upload';

describe('who may touch the dataset tables (database roles, as the running services use them)', () => {
  let db: TestDatabase;
  let app: VigilApp;
  const pools: Record<string, Pool> = {};
  const admin = testBus().admin();
  let datasetId = '';

  beforeAll(async () => {
    db = await createTestDatabase();
    for (const service of ['ingestion', 'training', 'inference', 'monitoring']) {
      pools[service] = createPool({ connectionString: db.url, applicationName: 'grant-test', role: `vigil_${service}` });
    }
    // The app on the ingestion role's pool: an upload writes every table under the rights it has in production.
    app = await buildIngestionApp(pools.ingestion, admin);
    const key = (await createApiKeyStore(db.pool).create('ml-team', ['models:admin'])).key;
    const res = await uploader(app, key).csv(telcoCsv([telcoRow('G-1'), telcoRow('G-2', { Churn: 'Yes' })]));
    expect(res.statusCode).toBe(201);
    datasetId = res.json().datasetId;
  });
  afterAll(async () => {
    await app.close();
    await Promise.all(Object.values(pools).map((p) => p.end()));
    await admin.close();
    await db.drop();
  });

  test('ingestion, running as vigil_ingestion, wrote the dataset, its rows, the customers and the event', async () => {
    const n = async (sql: string) => (await pools.ingestion.query(sql)).rows[0].n;
    expect(await n('SELECT count(*)::int AS n FROM ingestion.churn_rows')).toBe(2);
    expect(await n('SELECT count(*)::int AS n FROM ingestion.churn_customers')).toBe(2);
    expect(await n('SELECT count(*)::int AS n FROM ingestion.outbox')).toBe(1);
  });

  test('training reads datasets and their rows, and nothing else of ingestion', async () => {
    const rows = await pools.training.query('SELECT customer_id, churn FROM ingestion.churn_rows WHERE dataset_id = $1 ORDER BY row_number', [datasetId]);
    expect(rows.rows).toEqual([{ customer_id: 'G-1', churn: false }, { customer_id: 'G-2', churn: true }]);
    expect((await pools.training.query('SELECT kind FROM ingestion.datasets')).rows).toEqual([{ kind: 'churn' }]);
    await expect(pools.training.query('SELECT * FROM ingestion.churn_customers')).rejects.toThrow(/permission denied/);
    await expect(pools.training.query('SELECT * FROM ingestion.outbox')).rejects.toThrow(/permission denied/);
    await expect(pools.training.query('DELETE FROM ingestion.churn_rows')).rejects.toThrow(/permission denied/);
  });

  test('inference reads the customers’ current records, datasets and rows (batch scoring), and cannot change them', async () => {
    const customer = await pools.inference.query("SELECT dataset_id, record FROM ingestion.churn_customers WHERE customer_id = 'G-2'");
    expect(customer.rows[0]).toMatchObject({ dataset_id: datasetId, record: { customerID: 'G-2', tenure: 12 } });
    expect((await pools.inference.query('SELECT count(*)::int AS n FROM ingestion.datasets')).rows[0].n).toBe(1);
    expect((await pools.inference.query('SELECT count(*)::int AS n FROM ingestion.churn_rows')).rows[0].n).toBe(2);
    await expect(pools.inference.query("UPDATE ingestion.churn_customers SET record = '{}'")).rejects.toThrow(/permission denied/);
    await expect(pools.inference.query('DELETE FROM ingestion.churn_rows')).rejects.toThrow(/permission denied/);
    await expect(pools.inference.query('SELECT * FROM ingestion.outbox')).rejects.toThrow(/permission denied/);
  });

  test('monitoring has no access to the ingestion schema', async () => {
    await expect(pools.monitoring.query('SELECT * FROM ingestion.datasets')).rejects.toThrow(/permission denied for schema ingestion/);
  });
});

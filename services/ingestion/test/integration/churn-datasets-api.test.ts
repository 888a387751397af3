import { parse } from 'csv-parse/sync';
import { createApiKeyStore, decodeEvent, TOPICS, type VigilApp } from '@vigil/common';
import { createTestDatabase, type TestDatabase } from '../../../../tests/support/database';
import { buildIngestionApp } from '../../../../tests/support/ingestion-app';
import { testBus } from '../../../../tests/support/kafka';
import { REAL_FILE, realFile, telcoCsv, telcoRow } from '../support/churn-tables';
import { uploader } from '../support/upload';

const telco = realFile();

describe('POST /v1/datasets/churn: a Telco table becomes a dataset and the customers’ current records', () => {
  let db: TestDatabase;
  let app: VigilApp;
  let upload: ReturnType<typeof uploader>;
  const admin = testBus().admin();
  const keys: Record<string, string> = {};

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await buildIngestionApp(db.pool, admin);
    const store = createApiKeyStore(db.pool);
    keys.ml = (await store.create('ml-team', ['models:admin'])).key;
    keys.crm = (await store.create('crm-prod', ['feedback:write'])).key;
    upload = uploader(app, keys.ml);
  });
  afterAll(async () => {
    await app.close();
    await admin.close();
    await db.drop();
  });

  const count = async (table: string, where = 'true', params: unknown[] = []) =>
    (await db.pool.query(`SELECT count(*)::int AS n FROM ingestion.${table} WHERE ${where}`, params)).rows[0].n as number;
  const datasetEvents = () => db.pool.query('SELECT * FROM ingestion.outbox WHERE topic = $1 ORDER BY seq', [TOPICS.datasetIngested]);

  let realId = '';
  test(`the real Telco export (${REAL_FILE}) is stored whole with typed records and one DatasetIngested event`, async () => {
    const res = await upload.csv(telco);
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toEqual({ datasetId: expect.stringMatching(/^[0-9a-f-]{36}$/), rows: 5634, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(res.headers.location).toBe(`/v1/datasets/${body.datasetId}`);
    realId = body.datasetId;

    expect(await count('churn_rows', 'dataset_id = $1', [realId])).toBe(5634);
    // The export has 9 new customers with a blank TotalCharges: stored as JSON null, not 0 or "".
    expect(await count('churn_rows', "record->'TotalCharges' = 'null'::jsonb")).toBe(9);
    const first = (await db.pool.query('SELECT * FROM ingestion.churn_rows WHERE dataset_id = $1 AND row_number = 1', [realId])).rows[0];
    expect(first).toMatchObject({ customer_id: '9488-FYQAU', churn: false });
    expect(first.record).toMatchObject({ SeniorCitizen: 0, tenure: 63, MonthlyCharges: 109.25, TotalCharges: 6841.4, Contract: 'Two year', Churn: 'No' });

    expect(await count('churn_customers', 'dataset_id = $1', [realId])).toBe(5634);
    const customer = (await db.pool.query("SELECT record FROM ingestion.churn_customers WHERE customer_id = '2386-LAHRK'")).rows[0];
    expect(customer.record).toMatchObject({ customerID: '2386-LAHRK', tenure: 1, InternetService: 'DSL' });
    expect(customer.record).not.toHaveProperty('Churn');

    const events = (await datasetEvents()).rows;
    expect(events).toHaveLength(1);
    expect(events[0].msg_key).toBe(realId);
    expect(decodeEvent(TOPICS.datasetIngested, events[0].payload)).toMatchObject({
      datasetId: realId, kind: 'churn', rowCount: 5634n, sha256: body.sha256, clientName: 'ml-team',
    });

    const got = await app.inject({ method: 'GET', url: `/v1/datasets/${realId}`, headers: { authorization: `Bearer ${keys.ml}` } });
    expect(got.statusCode).toBe(200);
    expect(got.json()).toEqual({ datasetId: realId, kind: 'churn', rows: 5634, sha256: body.sha256, createdAt: expect.any(String), clientName: 'ml-team' });
  });

  test('the same table with LF line ends, or as JSON rows, is the same dataset (200) and writes nothing', async () => {
    const before = [await count('datasets'), await count('churn_rows'), (await datasetEvents()).rowCount];
    const lf = await upload.csv(telco.toString('utf8').replace(/\r\n/g, '\n'));
    expect(lf.statusCode).toBe(200);
    expect(lf.json()).toMatchObject({ datasetId: realId, rows: 5634 });
    const rows = parse(telco, { columns: true, record_delimiter: '\r\n' }) as Record<string, string>[];
    // Numbers as JSON numbers where the CSV has them: the canonical rows, and so the dataset, are the same.
    const typed = rows.map((r) => ({ ...r, tenure: Number(r.tenure), MonthlyCharges: Number(r.MonthlyCharges) }));
    const json = await upload.json(typed);
    expect(json.statusCode).toBe(200);
    expect(json.json()).toEqual(lf.json());
    expect([await count('datasets'), await count('churn_rows'), (await datasetEvents()).rowCount]).toEqual(before);
  });

  test('a newer dataset replaces the current record of the customers it contains, and only theirs', async () => {
    const older = await upload.csv(telcoCsv([telcoRow('LW-1', { tenure: '1' }), telcoRow('LW-2', { tenure: '2' })]));
    expect(older.statusCode).toBe(201);
    const newer = await upload.csv(telcoCsv([telcoRow('LW-2', { tenure: '30', Contract: 'Two year' }), telcoRow('LW-3')]));
    expect(newer.statusCode).toBe(201);
    const current = (await db.pool.query("SELECT customer_id, dataset_id, record FROM ingestion.churn_customers WHERE customer_id LIKE 'LW-%' ORDER BY 1")).rows;
    expect(current.map((c) => [c.customer_id, c.dataset_id, c.record.tenure])).toEqual([
      ['LW-1', older.json().datasetId, 1],
      ['LW-2', newer.json().datasetId, 30],
      ['LW-3', newer.json().datasetId, 12],
    ]);
    // Uploading the older table again finds it; it is not a new ingestion and does not win back.
    const again = await upload.csv(telcoCsv([telcoRow('LW-1', { tenure: '1' }), telcoRow('LW-2', { tenure: '2' })], { eol: '\n' }));
    expect(again.statusCode).toBe(200);
    expect(again.json().datasetId).toBe(older.json().datasetId);
    const lw2 = await db.pool.query("SELECT dataset_id FROM ingestion.churn_customers WHERE customer_id = 'LW-2'");
    expect(lw2.rows[0].dataset_id).toBe(newer.json().datasetId);
  });

  test('a multipart upload (field "file") is accepted like a CSV body', async () => {
    const table = telcoCsv([telcoRow('MP-1'), telcoRow('MP-2', { TotalCharges: '' })]);
    const res = await upload.multipart(table);
    expect(res.statusCode).toBe(201);
    expect(res.json().rows).toBe(2);
    expect((await upload.csv(table)).json().datasetId).toBe(res.json().datasetId);
  });

  test('concurrent uploads of the same table create one dataset and one event', async () => {
    const table = telcoCsv(Array.from({ length: 200 }, (_, i) => telcoRow(`CC-${i}`)));
    const responses = await Promise.all([upload.csv(table), upload.csv(table), upload.csv(table)]);
    expect(responses.map((r) => r.statusCode).sort()).toEqual([200, 200, 201]);
    expect(new Set(responses.map((r) => r.json().datasetId)).size).toBe(1);
    const id = responses[0].json().datasetId;
    expect(await count('churn_rows', 'dataset_id = $1', [id])).toBe(200);
    expect(await count('outbox', 'msg_key = $1', [id])).toBe(1);
  });

  test('uploading needs a key (401) with the models:admin scope (403)', async () => {
    const anonymous = await app.inject({ method: 'POST', url: '/v1/datasets/churn', headers: { 'content-type': 'text/csv' }, payload: telcoCsv([telcoRow('X')]) });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['content-type']).toMatch(/^application\/problem\+json/);
    const crm = await uploader(app, keys.crm).csv(telcoCsv([telcoRow('X')]));
    expect(crm.statusCode).toBe(403);
    expect(crm.json()).toMatchObject({ code: 'VIGIL_FORBIDDEN', requiredScopes: ['models:admin'] });
    expect(await count('churn_customers', "customer_id = 'X'")).toBe(0);
  });

  test('GET /v1/datasets/{id} answers 404 for an unknown id and 400 for a malformed one, as problem+json', async () => {
    const get = (id: string) => app.inject({ method: 'GET', url: `/v1/datasets/${id}`, headers: { authorization: `Bearer ${keys.ml}` } });
    const unknown = await get('00000000-0000-4000-8000-000000000000');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ code: 'VIGIL_NOT_FOUND' });
    const malformed = await get('not-a-uuid');
    expect(malformed.statusCode).toBe(400);
    expect(malformed.headers['content-type']).toMatch(/^application\/problem\+json/);
    const crm = await app.inject({ method: 'GET', url: `/v1/datasets/${realId || 'x'}`, headers: { authorization: `Bearer ${keys.crm}` } });
    expect(crm.statusCode).toBe(403);
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createApiKeyStore, type VigilApp } from '@vigil/common';
import { createTestDatabase, type TestDatabase } from '../../../../tests/support/database';
import { buildIngestionApp } from '../../../../tests/support/ingestion-app';
import { REPO_ROOT, testBus } from '../../../../tests/support/kafka';
import { telcoCsv, telcoRow } from '../support/churn-tables';
import { uploader } from '../support/upload';

const CORPUS = path.join(REPO_ROOT, 'tests/corpus/churn-datasets');
const MEDIA_TYPE: Record<string, string> = { '.csv': 'text/csv', '.json': 'application/json', '.bin': 'application/octet-stream' };

interface Expected {
  why: string;
  status: number;
  contentType?: string;
  problem: Record<string, unknown>;
}

const cases = readdirSync(CORPUS).map((name) => {
  const dir = path.join(CORPUS, name);
  const input = readdirSync(dir).find((f) => f.startsWith('input.'))!;
  const expected = JSON.parse(readFileSync(path.join(dir, 'expected.json'), 'utf8')) as Expected;
  return { name, body: readFileSync(path.join(dir, input)), contentType: expected.contentType ?? MEDIA_TYPE[path.extname(input)], expected };
});

describe('bad churn uploads get 4xx problem+json and change nothing', () => {
  let db: TestDatabase;
  let app: VigilApp;
  let upload: ReturnType<typeof uploader>;
  const admin = testBus().admin();

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await buildIngestionApp(db.pool, admin);
    upload = uploader(app, (await createApiKeyStore(db.pool).create('ml-team', ['models:admin'])).key);
    // A stored dataset, so "nothing changed" also covers the customers' current records.
    expect((await upload.csv(telcoCsv([telcoRow('0001-A'), telcoRow('0002-B')]))).statusCode).toBe(201);
  });
  afterAll(async () => {
    await app.close();
    await admin.close();
    await db.drop();
  });

  /** Everything an upload can write, summarised so that any change shows. */
  const state = async () =>
    (
      await db.pool.query(`SELECT
        (SELECT count(*)::int FROM ingestion.datasets) AS datasets,
        (SELECT count(*)::int FROM ingestion.churn_rows) AS rows,
        (SELECT count(*)::int FROM ingestion.outbox) AS events,
        (SELECT md5(string_agg(customer_id || dataset_id || record::text || updated_at, ',' ORDER BY customer_id))
           FROM ingestion.churn_customers) AS customers`)
    ).rows[0];

  const expectProblem = async (res: Awaited<ReturnType<typeof upload.csv>>, status: number, before: unknown) => {
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ status, instance: '/v1/datasets/churn' });
    expect(await state()).toEqual(before);
  };

  test.each(cases)('corpus $name', async ({ body, contentType, expected }) => {
    const before = await state();
    const res = await upload.raw(body, contentType);
    await expectProblem(res, expected.status, before);
    expect(res.json()).toMatchObject(expected.problem);
  });

  test('a 50 MB body is refused with 413 from its Content-Length, before it is read', async () => {
    const before = await state();
    const garbage = Buffer.alloc(50 * 1024 * 1024, 'x,');
    await expectProblem(await upload.csv(garbage), 413, before);
    await expectProblem(await upload.raw(garbage, 'application/json'), 413, before);
  });

  test('a multipart file over 20 MiB is refused with 413', async () => {
    const before = await state();
    const res = await upload.multipart(Buffer.alloc(21 * 1024 * 1024, 'y'));
    await expectProblem(res, 413, before);
    expect(res.json().code).toBe('VIGIL_PAYLOAD_TOO_LARGE');
  });

  test('a multipart form without a "file" part, or with a broken body, is refused with 400', async () => {
    const before = await state();
    await expectProblem(await upload.multipart(telcoCsv([telcoRow('0009-Z')]), 'table'), 400, before);
    const broken = await upload.raw('--nope\r\nContent-Disposition: form-da', 'multipart/form-data; boundary=nope');
    await expectProblem(broken, 400, before);
  });

  test('binary garbage is refused as text/csv (400) and as application/octet-stream (415)', async () => {
    const before = await state();
    // Deterministic noise with NUL bytes, as from an image or a spreadsheet uploaded by mistake.
    const noise = Buffer.from(Array.from({ length: 64 * 1024 }, (_, i) => (i * 2654435761) % 251));
    await expectProblem(await upload.csv(noise), 400, before);
    const octets = await upload.raw(noise, 'application/octet-stream');
    await expectProblem(octets, 415, before);
    expect(octets.json().code).toBe('VIGIL_UNSUPPORTED_MEDIA_TYPE');
    await expectProblem(await upload.raw(telcoCsv([telcoRow('0009-Z')]), 'text/plain'), 415, before);
  });

  test('a table with many bad rows lists the first 100 errors and says how many there were', async () => {
    const before = await state();
    const rows = Array.from({ length: 300 }, (_, i) => telcoRow(`B-${i}`, { gender: 'x' }));
    const res = await upload.csv(telcoCsv(rows));
    await expectProblem(res, 422, before);
    expect(res.json()).toMatchObject({ errorCount: 300, invalidRowCount: 300, truncated: true });
    expect(res.json().errors).toHaveLength(100);
    expect(res.json().errors[99]).toEqual({ row: 100, column: 'gender', message: 'must be one of "Male", "Female"' });
    expect(res.json().detail).toMatch(/300 of 300 rows are invalid; nothing was imported\. Rows are numbered from 1/);
  });
});

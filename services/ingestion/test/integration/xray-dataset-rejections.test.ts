import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { createApiKeyStore } from '@vigil/common';
import { createTestDatabase, type TestDatabase } from '../../../../tests/support/database';
import { REPO_ROOT, testBus } from '../../../../tests/support/kafka';
import { buildXrayApp, xrayUploader, type XrayTestApp } from '../support/xray-app';
import { datasetFiles, manifestCsv, realSample, tarOf } from '../support/xray-archives';

const CORPUS = path.join(REPO_ROOT, 'tests/corpus/xray-datasets');
const MEDIA_TYPE: Record<string, string> = { '.tar': 'application/x-tar', '.zip': 'application/zip', '.bin': 'application/octet-stream' };

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

describe('bad X-ray uploads get 4xx problem+json and store no rows', () => {
  let db: TestDatabase;
  let xray: XrayTestApp;
  let small: XrayTestApp;
  let key = '';
  const admin = testBus().admin();
  const { rows, images } = realSample(2);

  beforeAll(async () => {
    db = await createTestDatabase();
    xray = await buildXrayApp(db.pool, admin);
    // 32 KiB archives, and images of at most 224 × 224 - 1 pixels (the real ones are 224 × 224).
    small = await buildXrayApp(db.pool, admin, { maxArchiveBytes: 32 * 1024, maxImagePixels: 224 * 224 - 1 });
    key = (await createApiKeyStore(db.pool).create('ml-team', ['models:admin'])).key;
    // A stored dataset, so that "nothing changed" is checked against a non-empty state.
    expect((await xrayUploader(xray.app, key).tar(await tarOf(datasetFiles(rows, images)))).statusCode).toBe(201);
  });
  afterAll(async () => {
    await small.close();
    await xray.close();
    await admin.close();
    await db.drop();
  });

  /** Every row an upload can write. */
  const state = async () =>
    (
      await db.pool.query(`SELECT
        (SELECT count(*)::int FROM ingestion.xray_datasets) AS datasets,
        (SELECT count(*)::int FROM ingestion.xray_images) AS images,
        (SELECT count(*)::int FROM ingestion.outbox) AS events`)
    ).rows[0];

  type Response = Awaited<ReturnType<ReturnType<typeof xrayUploader>['tar']>>;
  const expectProblem = async (res: Response, status: number, before: unknown) => {
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ status, instance: '/v1/datasets/xray' });
    expect(await state()).toEqual(before);
  };

  test.each(cases)('corpus $name', async ({ body, contentType, expected }) => {
    const before = await state();
    const res = await xrayUploader(xray.app, key).raw(body, contentType);
    await expectProblem(res, expected.status, before);
    expect(res.json()).toMatchObject(expected.problem);
  });

  test('an archive over XRAY_MAX_ARCHIVE_BYTES is 413: from its Content-Length, or while streamed without one', async () => {
    const before = await state();
    const archive = await tarOf(datasetFiles(rows, images));
    expect(archive.length).toBeGreaterThan(32 * 1024);
    const upload = xrayUploader(small.app, key);
    const declared = await upload.tar(archive);
    await expectProblem(declared, 413, before);
    expect(declared.json()).toMatchObject({ code: 'VIGIL_PAYLOAD_TOO_LARGE', detail: 'The archive is larger than 32 KiB (XRAY_MAX_ARCHIVE_BYTES)' });
    const streamed = await small.app.inject({
      method: 'POST',
      url: '/v1/datasets/xray',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-tar', 'transfer-encoding': 'chunked' },
      payload: Readable.from([archive.subarray(0, 20_000), archive.subarray(20_000)]),
    });
    await expectProblem(streamed, 413, before);
    await expectProblem(await upload.multipart(archive), 413, before);
  });

  test('images over XRAY_MAX_IMAGE_PIXELS are row errors with their size', async () => {
    const before = await state();
    const one = await tarOf(datasetFiles(rows.slice(0, 1), new Map([...images].slice(0, 1))));
    const res = await xrayUploader(small.app, key).tar(one);
    await expectProblem(res, 422, before);
    expect(res.json().errors).toEqual([
      { row: 1, column: 'path', message: `"${rows[0].path}" is 224×224 = 50176 pixels; the limit is 50175` },
    ]);
  });

  test('a manifest with many bad rows lists the first 100 errors and says how many there were', async () => {
    const before = await state();
    const missing = Array.from({ length: 150 }, (_, i) => ({ path: `NORMAL/missing-${i}.jpeg`, label: 'NORMAL', subtype: 'normal', patient_id: `P${i}` }));
    const res = await xrayUploader(xray.app, key).tar(await tarOf([{ name: 'manifest.csv', data: manifestCsv([...rows, ...missing]) }, ...[...images].map(([name, data]) => ({ name, data }))]));
    await expectProblem(res, 422, before);
    expect(res.json()).toMatchObject({ errorCount: 150, invalidRowCount: 150, truncated: true });
    expect(res.json().errors).toHaveLength(100);
    expect(res.json().errors[0]).toEqual({ row: 7, column: 'path', message: '"NORMAL/missing-0.jpeg" is not a file in the archive' });
  });

  test('bodies that are no archive upload: empty, JSON, a multipart form without "file"', async () => {
    const before = await state();
    const upload = xrayUploader(xray.app, key);
    await expectProblem(await upload.tar(Buffer.alloc(0)), 415, before);
    await expectProblem(await upload.raw(JSON.stringify({ rows: [] }), 'application/json'), 415, before);
    await expectProblem(await upload.raw('path,label\n', 'text/csv'), 415, before);
    await expectProblem(await upload.multipart(await tarOf(datasetFiles(rows, images)), 'archive'), 400, before);
  });
});

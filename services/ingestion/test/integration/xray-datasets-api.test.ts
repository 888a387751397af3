import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { createApiKeyStore, createFileBlobStore, decodeEvent, TOPICS } from '@vigil/common';
import { createTestDatabase, type TestDatabase } from '../../../../tests/support/database';
import { testBus } from '../../../../tests/support/kafka';
import { buildXrayApp, xrayUploader, type XrayTestApp } from '../support/xray-app';
import { datasetFiles, manifestCsv, realSample, tarOf, zipOf, type ManifestLine } from '../support/xray-archives';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('POST /v1/datasets/xray: an archive of labelled chest X-rays becomes a dataset', () => {
  let db: TestDatabase;
  let xray: XrayTestApp;
  let upload: ReturnType<typeof xrayUploader>;
  const admin = testBus().admin();
  const keys: Record<string, string> = {};
  // 4 normal, 4 bacterial, 4 viral images of the provided training set.
  const { rows, images } = realSample(4);

  beforeAll(async () => {
    db = await createTestDatabase();
    xray = await buildXrayApp(db.pool, admin);
    const store = createApiKeyStore(db.pool);
    keys.ml = (await store.create('ml-team', ['models:admin'])).key;
    keys.crm = (await store.create('crm-prod', ['feedback:write'])).key;
    upload = xrayUploader(xray.app, keys.ml);
  });
  afterAll(async () => {
    await xray.close();
    await admin.close();
    await db.drop();
  });

  const count = async (table: string, where = 'true', params: unknown[] = []) =>
    (await db.pool.query(`SELECT count(*)::int AS n FROM ingestion.${table} WHERE ${where}`, params)).rows[0].n as number;
  const events = async () => (await db.pool.query('SELECT * FROM ingestion.outbox WHERE topic = $1 ORDER BY seq', [TOPICS.datasetIngested])).rows;

  let first: { datasetId: string; sha256: string } = { datasetId: '', sha256: '' };
  test('a tar with the manifest in a top folder is stored: rows, blobs and one DatasetIngested event', async () => {
    const res = await upload.tar(await tarOf(datasetFiles(rows, images, 'xray-train')));
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toEqual({
      datasetId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      images: 12,
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      labels: { NORMAL: 4, PNEUMONIA: 8 },
      subtypes: { normal: 4, bacterial: 4, viral: 4 },
    });
    expect(res.headers.location).toBe(`/v1/datasets/xray/${body.datasetId}`);
    first = body;

    const stored = (await db.pool.query('SELECT * FROM ingestion.xray_images WHERE dataset_id = $1 ORDER BY path', [body.datasetId])).rows;
    expect(stored).toHaveLength(12);
    const row = stored.find((r) => r.path === rows[0].path)!;
    expect(row).toMatchObject({ label: 'NORMAL', subtype: 'normal', patient_id: rows[0].patient_id, media_type: 'image/jpeg', width: 224, height: 224 });
    // The image is in the blob store under the hash of its bytes, byte for byte.
    expect(row.sha256).toBe(sha256(images.get(rows[0].path)!));
    expect((await createFileBlobStore(xray.blobDir).get(row.sha256))!.equals(images.get(rows[0].path)!)).toBe(true);

    const [event] = await events();
    expect(event.msg_key).toBe(body.datasetId);
    expect(decodeEvent(TOPICS.datasetIngested, event.payload)).toMatchObject({
      datasetId: body.datasetId, kind: 'xray', rowCount: 12n, sha256: body.sha256, clientName: 'ml-team',
    });

    const got = await upload.get(body.datasetId);
    expect(got.statusCode).toBe(200);
    expect(got.json()).toEqual({ ...body, createdAt: expect.any(String), clientName: 'ml-team' });
  });

  test('the same images and labels as a zip at the root, reordered, in lower case, with extra columns, are the same dataset (200)', async () => {
    const before = [await count('xray_datasets'), await count('xray_images'), (await events()).length];
    const shuffled: ManifestLine[] = [...rows].reverse().map((r) => ({ ...r, label: r.label.toLowerCase() }));
    const files = [
      ...[...images].reverse().map(([name, data]) => ({ name, data })),
      { name: 'manifest.csv', data: manifestCsv(shuffled, { extra: true }) },
    ];
    const zip = await upload.zip(zipOf(files));
    expect(zip.statusCode).toBe(200);
    expect(zip.json()).toMatchObject({ datasetId: first.datasetId, sha256: first.sha256, images: 12 });
    // application/octet-stream and multipart: the format is taken from the bytes.
    expect((await upload.octets(zipOf(files, { deflate: false }))).json().datasetId).toBe(first.datasetId);
    const multipart = await upload.multipart(await tarOf(files));
    expect(multipart.statusCode).toBe(200);
    expect(multipart.json().datasetId).toBe(first.datasetId);
    expect([await count('xray_datasets'), await count('xray_images'), (await events()).length]).toEqual(before);
  });

  test('a PNG is accepted beside JPEGs, and a different label makes a different dataset', async () => {
    const png = await sharp(images.get(rows[0].path)!).png().toBuffer();
    const withPng = new Map(images).set(rows[0].path.replace(/\.jpeg$/, '.png'), png);
    withPng.delete(rows[0].path);
    const pngRows = rows.map((r, i) => (i === 0 ? { ...r, path: r.path.replace(/\.jpeg$/, '.png') } : r));
    const res = await upload.tar(await tarOf(datasetFiles(pngRows, withPng)));
    expect(res.statusCode).toBe(201);
    expect(res.json().datasetId).not.toBe(first.datasetId);
    const row = (await db.pool.query('SELECT media_type, width, height, sha256 FROM ingestion.xray_images WHERE dataset_id = $1 AND path LIKE $2', [res.json().datasetId, '%.png'])).rows[0];
    expect(row).toEqual({ media_type: 'image/png', width: 224, height: 224, sha256: sha256(png) });
  });

  test('concurrent uploads of the same archive create one dataset and one event', async () => {
    const archive = await tarOf(datasetFiles(rows.slice(0, 5), new Map([...images].slice(0, 5))));
    const responses = await Promise.all([upload.tar(archive), upload.tar(archive), upload.tar(archive)]);
    expect(responses.map((r) => r.statusCode).sort()).toEqual([200, 200, 201]);
    const ids = new Set(responses.map((r) => r.json().datasetId));
    expect(ids.size).toBe(1);
    const [id] = ids;
    expect(await count('xray_images', 'dataset_id = $1', [id])).toBe(5);
    expect(await count('outbox', 'msg_key = $1', [id])).toBe(1);
  });

  test('uploading needs a key (401) with the models:admin scope (403); reading one too', async () => {
    const archive = await tarOf(datasetFiles(rows.slice(0, 1), new Map([...images].slice(0, 1))));
    const anonymous = await xray.app.inject({ method: 'POST', url: '/v1/datasets/xray', headers: { 'content-type': 'application/x-tar' }, payload: archive });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['content-type']).toMatch(/^application\/problem\+json/);
    const crm = xrayUploader(xray.app, keys.crm);
    expect((await crm.tar(archive)).json()).toMatchObject({ status: 403, code: 'VIGIL_FORBIDDEN', requiredScopes: ['models:admin'] });
    expect((await crm.get(first.datasetId)).statusCode).toBe(403);
  });

  test('GET /v1/datasets/xray/{id} answers 404 for an unknown id and 400 for a malformed one', async () => {
    expect((await upload.get('00000000-0000-4000-8000-000000000000')).json()).toMatchObject({ status: 404, code: 'VIGIL_NOT_FOUND' });
    expect((await upload.get('not-a-uuid')).statusCode).toBe(400);
  });

  test('training, as vigil_training, reads the dataset and its rows', async () => {
    const { createPool } = await import('@vigil/common');
    const training = createPool({ connectionString: db.url, applicationName: 'grant-test', role: 'vigil_training' });
    try {
      const got = await training.query('SELECT path, label, subtype, patient_id, sha256 FROM ingestion.xray_images WHERE dataset_id = $1', [first.datasetId]);
      expect(got.rowCount).toBe(12);
      expect((await training.query('SELECT image_count FROM ingestion.xray_datasets WHERE id = $1', [first.datasetId])).rows).toEqual([{ image_count: 12 }]);
      await expect(training.query('DELETE FROM ingestion.xray_images')).rejects.toThrow(/permission denied/);
    } finally {
      await training.end();
    }
  });

  test('the blob of an image is readable as the file the training service will open', () => {
    const blobs = createFileBlobStore(xray.blobDir);
    const bytes = images.get(rows[5].path)!;
    expect(readFileSync(blobs.path(sha256(bytes))).equals(bytes)).toBe(true);
  });
});

import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApiKeyStore, createFileBlobStore, createPool, decodeEvent, remapUid, TOPICS, type Pool, type VigilApp } from '@vigil/common';
import { createTestDatabase, type TestDatabase } from '../../../../tests/support/database';
import { buildIngestionApp, TEST_UID_SECRET } from '../../../../tests/support/ingestion-app';
import { testBus } from '../../../../tests/support/kafka';
import { XRAY_DIR } from '../../../../tests/support/shared-data';
import { xraySample } from '../../../../tests/support/xray-fixtures';
import { capturingLogger, CHEST_DICOM, dicomFile, dicomString, studyClient } from '../support/studies';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const jpeg = readFileSync(path.join(XRAY_DIR, xraySample(1)[0]!.path));
const chest = dicomFile(CHEST_DICOM);
const PATIENT = { accessionNumber: 'ACC-STUDY-90210', patientRef: 'pseudo-patient-4711' };

describe('POST /v1/xray/studies: a chest X-ray is stored (de-identified) and announced for an asynchronous prediction', () => {
  let db: TestDatabase;
  let app: VigilApp;
  let ingestionPool: Pool;
  let client: ReturnType<typeof studyClient>;
  const blobDir = mkdtempSync(path.join(tmpdir(), 'vigil-blobs-'));
  const admin = testBus().admin();
  const { logger, lines } = capturingLogger();
  const keys: Record<string, string> = {};
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    db = await createTestDatabase();
    // The app runs as vigil_ingestion, as in production: the grants are part of what is tested.
    ingestionPool = createPool({ connectionString: db.url, applicationName: 'studies-test', role: 'vigil_ingestion' });
    app = await buildIngestionApp(ingestionPool, admin, blobDir, {}, logger);
    const store = createApiKeyStore(db.pool);
    keys.pacs = (await store.create('pacs-gateway', ['xray:submit'])).key;
    keys.ml = (await store.create('ml-team', ['models:admin'])).key;
    client = studyClient(app, keys.pacs);
  });
  afterAll(async () => {
    await app.close();
    await ingestionPool.end();
    await admin.close();
    await db.drop();
    rmSync(blobDir, { recursive: true, force: true });
  });

  const study = async (id: string) => (await db.pool.query('SELECT * FROM ingestion.xray_studies WHERE id = $1', [id])).rows[0];
  const events = async () => (await db.pool.query('SELECT * FROM ingestion.outbox WHERE topic = $1 ORDER BY seq', [TOPICS.xrayReceived])).rows;
  const counts = async () => [
    (await db.pool.query('SELECT count(*)::int AS n FROM ingestion.xray_studies')).rows[0].n,
    (await events()).length,
  ];

  test('a JPEG becomes a pending study: the row with the caller’s references, the blob byte for byte, one XrayReceived event without them', async () => {
    const res = await client.submit(jpeg, PATIENT);
    expect(res.statusCode).toBe(202);
    const body = res.json();
    expect(body).toEqual({ studyId: expect.stringMatching(/^[0-9a-f-]{36}$/), imageSha256: sha256(jpeg), status: 'pending' });
    expect(res.headers.location).toBe(`/v1/xray/studies/${body.studyId}`);
    ids.jpeg = body.studyId;

    expect(await study(body.studyId)).toMatchObject({
      received_sha256: sha256(jpeg), stored_sha256: sha256(jpeg), media_type: 'image/jpeg', study_uid: null,
      accession_number: PATIENT.accessionNumber, patient_ref: PATIENT.patientRef, source: 'upload', client_name: 'pacs-gateway',
    });
    expect((await createFileBlobStore(blobDir).get(sha256(jpeg)))!.equals(jpeg)).toBe(true);

    const [event] = await events();
    expect(event.msg_key).toBe(body.studyId);
    expect(decodeEvent(TOPICS.xrayReceived, event.payload)).toMatchObject({
      imageId: body.studyId, sha256: sha256(jpeg), receivedSha256: sha256(jpeg), contentType: 'image/jpeg', studyUid: '',
      source: 'upload', clientName: 'pacs-gateway',
    });
    // Kafka topics are read by every service and kept for days: the references stay in Postgres.
    for (const value of Object.values(PATIENT)) expect(event.payload.includes(Buffer.from(value))).toBe(false);
  });

  test('a DICOM is de-identified before it is stored: re-mapped UIDs, no patient name or id, the received hash kept beside the stored one', async () => {
    const res = await client.submit(chest);
    expect(res.statusCode).toBe(202);
    const { studyId, imageSha256 } = res.json();
    ids.dicom = studyId;
    expect(imageSha256).toBe(sha256(chest));
    const row = await study(studyId);
    expect(row).toMatchObject({ received_sha256: sha256(chest), media_type: 'application/dicom', accession_number: null, patient_ref: null });
    expect(row.stored_sha256).not.toBe(row.received_sha256);

    const stored = (await createFileBlobStore(blobDir).get(row.stored_sha256))!;
    expect(stored).not.toBeNull();
    const originalStudyUid = dicomString(chest, 'x0020000d')!;
    expect(row.study_uid).toBe(remapUid(originalStudyUid, TEST_UID_SECRET));
    expect(dicomString(stored, 'x0020000d')).toBe(row.study_uid);
    expect(dicomString(stored, 'x00080018')).not.toBe(dicomString(chest, 'x00080018'));
    expect(dicomString(stored, 'x00120062')).toBe('YES'); // Patient Identity Removed
    for (const tag of ['x00100010', 'x00100020']) {
      const original = dicomString(chest, tag)!;
      expect(original).toBeTruthy();
      expect(stored.includes(Buffer.from(original))).toBe(false);
    }
    const event = decodeEvent(TOPICS.xrayReceived, (await events()).at(-1)!.payload);
    expect(event).toMatchObject({ imageId: studyId, sha256: row.stored_sha256, receivedSha256: sha256(chest), contentType: 'application/dicom', studyUid: row.study_uid });
  });

  test('GET answers pending until inference has predicted, then done with the prediction in the shape of POST /v1/xray/predict', async () => {
    const pending = await client.get(ids.dicom);
    expect(pending.statusCode).toBe(200);
    expect(pending.json()).toEqual({
      studyId: ids.dicom, imageSha256: sha256(chest), storedSha256: expect.stringMatching(/^[0-9a-f]{64}$/), mediaType: 'application/dicom',
      studyUid: expect.stringMatching(/^2\.25\.\d+$/), source: 'upload', createdAt: expect.any(String), status: 'pending',
    });

    // What inference's xray-received consumer writes: both stages' audit rows, entity_id = the study id.
    const pneumonia = { name: 'xray-pneumonia', version: 3, sha256: 'a'.repeat(64) };
    const type = { label: 'viral', probability: 0.71, model: { name: 'xray-type', version: 2, sha256: 'b'.repeat(64) } };
    const predictionId = randomUUID();
    const insert = (id: string, model: typeof pneumonia, output: object) =>
      db.pool.query(
        `INSERT INTO inference.predictions (id, request_id, client_name, model_name, model_version, model_sha256, entity_id, input_sha256, input, output, latency_ms, image_sha256)
         VALUES ($1, 'evt', 'pacs-gateway', $2, $3, $4, $5, $6, '{}', $7, 12, $6)`,
        [id, model.name, model.version, model.sha256, ids.dicom, sha256(chest), JSON.stringify(output)],
      );
    await insert(randomUUID(), type.model, { label: 'viral', probability: 0.71, confidence: 'high' });
    await insert(predictionId, pneumonia, { probability: 0.62, positive: true, threshold: 0.4, confidence: 'low', band: { low: 0.3, high: 0.7 }, type });

    const done = await client.get(ids.dicom);
    expect(done.json()).toMatchObject({ studyId: ids.dicom, status: 'done' });
    expect(done.json().prediction).toEqual({
      predictionId, imageSha256: sha256(chest),
      pneumonia: { probability: 0.62, positive: true, threshold: 0.4, model: pneumonia },
      type, confidence: 'low', alert: true,
    });
  });

  test('ingestion’s role reads inference.predictions and cannot change it', async () => {
    expect((await ingestionPool.query('SELECT count(*)::int AS n FROM inference.predictions')).rows[0].n).toBe(2);
    await expect(ingestionPool.query('DELETE FROM inference.predictions')).rejects.toThrow(/permission denied/);
    await expect(ingestionPool.query('SELECT * FROM inference.outbox')).rejects.toThrow(/permission denied/);
  });

  test('bad images are refused with a problem+json reason and store nothing', async () => {
    const before = await counts();
    const cases: Array<[string, Promise<{ statusCode: number; headers: Record<string, unknown>; json(): { detail: string } }>, number[]]> = [
      ['text', client.submit(Buffer.from('not an image, whatever its name says')), [415]],
      ['truncated JPEG', client.submit(jpeg.subarray(0, 300)), [400, 422]],
      ['structured report (no pixel data)', client.submit(dicomFile('pydicom_SR_no_pixeldata.dcm')), [422]],
      ['DICOM without transfer syntax', client.submit(dicomFile('pydicom_meta_missing_transfer_syntax.dcm')), [400]],
      ['no multipart body', app.inject({ method: 'POST', url: '/v1/xray/studies', headers: { authorization: `Bearer ${keys.pacs}`, 'content-type': 'application/json' }, payload: '{}' }), [415]],
    ];
    for (const [name, pending, statuses] of cases) {
      const res = await pending;
      expect({ name, status: statuses.includes(res.statusCode) ? 'as expected' : res.statusCode }).toEqual({ name, status: 'as expected' });
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.json().detail).toEqual(expect.any(String));
    }
    expect(await counts()).toEqual(before);
  });

  test('studies are for xray:submit keys; an unknown study is 404', async () => {
    const other = studyClient(app, keys.ml);
    expect((await other.submit(jpeg)).statusCode).toBe(403);
    expect((await other.get(ids.jpeg)).statusCode).toBe(403);
    expect((await client.get(randomUUID())).statusCode).toBe(404);
    expect((await client.get('not-a-uuid')).statusCode).toBe(400);
  });

  test('no log line carries the accession number, the patient reference or a DICOM patient value', () => {
    expect(lines.length).toBeGreaterThan(10);
    const text = lines.join('\n');
    for (const value of [...Object.values(PATIENT), dicomString(chest, 'x00100010')!]) expect(text).not.toContain(value);
  });
});

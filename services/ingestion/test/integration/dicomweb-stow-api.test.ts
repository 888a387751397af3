import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApiKeyStore, decodeEvent, TOPICS, type VigilApp } from '@vigil/common';
import { createTestDatabase, type TestDatabase } from '../../../../tests/support/database';
import { buildIngestionApp } from '../../../../tests/support/ingestion-app';
import { testBus } from '../../../../tests/support/kafka';
import { XRAY_DIR } from '../../../../tests/support/shared-data';
import { xraySample } from '../../../../tests/support/xray-fixtures';
import { capturingLogger, CHEST_DICOM, dicomFile, dicomString, stowBody, studyClient } from '../support/studies';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const chest = dicomFile(CHEST_DICOM);
const mr = dicomFile('pydicom_MR_small_explicitLE.dcm');
const sr = dicomFile('pydicom_SR_no_pixeldata.dcm');
const truncated = dicomFile('pydicom_MR_truncated_pixeldata.dcm');
const j2k12 = dicomFile('dicomparser_EnhancedCT_2frames_JPEGExt_fragmented_noBOT.dcm');
const jpeg = readFileSync(path.join(XRAY_DIR, xraySample(1)[0]!.path));

type Item = Record<string, { vr: string; Value?: unknown[] }>;
const value = (item: Item, tag: string) => item[tag]?.Value?.[0];
const referenced = (body: Record<string, { Value?: Item[] }>) => body['00081199']?.Value ?? [];
const failed = (body: Record<string, { Value?: Item[] }>) => body['00081198']?.Value ?? [];

describe('POST /dicomweb/studies: DICOMweb STOW-RS into the study pipeline', () => {
  let db: TestDatabase;
  let app: VigilApp;
  let client: ReturnType<typeof studyClient>;
  const blobDir = mkdtempSync(path.join(tmpdir(), 'vigil-blobs-'));
  const admin = testBus().admin();
  const { logger, lines } = capturingLogger();
  let key = '';

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await buildIngestionApp(db.pool, admin, blobDir, {}, logger);
    key = (await createApiKeyStore(db.pool).create('orthanc-router', ['xray:submit'])).key;
    client = studyClient(app, key);
  });
  afterAll(async () => {
    await app.close();
    await admin.close();
    await db.drop();
    rmSync(blobDir, { recursive: true, force: true });
  });

  const studyCount = async () => (await db.pool.query('SELECT count(*)::int AS n FROM ingestion.xray_studies')).rows[0].n as number;

  test('every instance stored: 200, application/dicom+json, each referenced by the UIDs it was sent with, a RetrieveURL to its study', async () => {
    const res = await client.stow(stowBody([{ bytes: chest }, { bytes: mr }]));
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/dicom\+json/);
    const body = res.json();
    expect(failed(body)).toEqual([]);
    const items = referenced(body);
    expect(items.map((i) => [value(i, '00081150'), value(i, '00081155')])).toEqual([
      [dicomString(chest, 'x00080016'), dicomString(chest, 'x00080018')],
      [dicomString(mr, 'x00080016'), dicomString(mr, 'x00080018')],
    ]);
    for (const item of items) {
      expect(item['00081190']!.vr).toBe('UR');
      expect(value(item, '00081196')).toBe(0xb000); // coerced: stored de-identified
    }

    // The RetrieveURL is the study resource, which answers for the instance.
    const url = new URL(value(items[0]!, '00081190') as string);
    expect(url.pathname).toMatch(/^\/v1\/xray\/studies\/[0-9a-f-]{36}$/);
    const study = await app.inject({ method: 'GET', url: url.pathname, headers: { authorization: `Bearer ${key}` } });
    expect(study.json()).toMatchObject({ imageSha256: sha256(chest), source: 'stow-rs', mediaType: 'application/dicom', status: 'pending' });
    const row = (await db.pool.query('SELECT * FROM ingestion.xray_studies WHERE id = $1', [study.json().studyId])).rows[0];
    expect(row).toMatchObject({ source: 'stow-rs', client_name: 'orthanc-router', received_sha256: sha256(chest) });
    const events = (await db.pool.query('SELECT payload FROM ingestion.outbox WHERE topic = $1', [TOPICS.xrayReceived])).rows;
    expect(events.map((e) => decodeEvent(TOPICS.xrayReceived, e.payload).source)).toEqual(['stow-rs', 'stow-rs']);
  });

  test('some stored: 202, and each failure gets its Failure Reason', async () => {
    const before = await studyCount();
    const res = await client.stow(
      stowBody([
        { bytes: mr },
        { bytes: sr }, // no pixel data: SOP class not supported
        { bytes: truncated }, // cannot understand
        { bytes: j2k12 }, // 12-bit JPEG Extended: transfer syntax not supported
        { bytes: jpeg }, // not DICOM at all
        { bytes: mr, contentType: 'application/dicom+json' }, // a part of another type
      ]),
    );
    expect(res.statusCode).toBe(202);
    const body = res.json();
    expect(referenced(body)).toHaveLength(1);
    expect(failed(body).map((i) => [value(i, '00081155') ?? null, value(i, '00081197')])).toEqual([
      [dicomString(sr, 'x00080018'), 0x0122],
      [null, 0xc000],
      [dicomString(j2k12, 'x00080018'), 0xc122],
      [null, 0xc000],
      [null, 0xc000],
    ]);
    expect(await studyCount()).toBe(before + 1);
  });

  test('none stored: 400 when nothing could be understood, 409 for a conflict, both with the Failed SOP Sequence', async () => {
    const before = await studyCount();
    const garbage = await client.stow(stowBody([{ bytes: Buffer.from('garbage') }, { bytes: truncated }]));
    expect(garbage.statusCode).toBe(400);
    expect(failed(garbage.json()).map((i) => value(i, '00081197'))).toEqual([0xc000, 0xc000]);
    const report = await client.stow(stowBody([{ bytes: sr }]));
    expect(report.statusCode).toBe(409);
    expect(failed(report.json()).map((i) => value(i, '00081197'))).toEqual([0x0122]);
    expect(await studyCount()).toBe(before);
  });

  test('POST /dicomweb/studies/{studyUID} stores the instances of that study and fails the others with 0xA900', async () => {
    const res = await client.stow(stowBody([{ bytes: chest }, { bytes: mr }]), dicomString(chest, 'x0020000d'));
    expect(res.statusCode).toBe(202);
    expect(referenced(res.json()).map((i) => value(i, '00081155'))).toEqual([dicomString(chest, 'x00080018')]);
    expect(failed(res.json()).map((i) => [value(i, '00081155'), value(i, '00081197')])).toEqual([[dicomString(mr, 'x00080018'), 0xa900]]);
  });

  test('what is not a STOW-RS request is a problem+json: another media type 415, a broken body 400, no key 401', async () => {
    const metadata = stowBody([{ bytes: mr }]);
    const json = await client.stow({ body: metadata.body, contentType: metadata.contentType.replace('application/dicom', 'application/dicom+json') });
    expect(json.statusCode).toBe(415);
    expect(json.headers['content-type']).toMatch(/application\/problem\+json/);
    expect((await client.stow({ body: mr, contentType: 'application/dicom' })).statusCode).toBe(415);
    const noBoundary = await client.stow({ body: metadata.body, contentType: 'multipart/related; type="application/dicom"' });
    expect(noBoundary.statusCode).toBe(400);
    expect(noBoundary.json().detail).toMatch(/boundary/);
    const unclosed = await client.stow({ body: metadata.body.subarray(0, 500), contentType: metadata.contentType });
    expect(unclosed.statusCode).toBe(400);
    const empty = await client.stow({ body: Buffer.from('--vigil-stow-boundary-7f3a--'), contentType: metadata.contentType });
    expect(empty.statusCode).toBe(400);
    const anonymous = await app.inject({ method: 'POST', url: '/dicomweb/studies', headers: { 'content-type': metadata.contentType }, payload: metadata.body });
    expect(anonymous.statusCode).toBe(401);
  });

  test('the logs name failures by part number and reason, never by UID or patient value', () => {
    const text = lines.join('\n');
    expect(text).toContain('STOW-RS instance refused');
    for (const file of [chest, mr, sr]) {
      for (const tag of ['x00100010', 'x0020000d', 'x00080018']) expect(text).not.toContain(dicomString(file, tag)!);
    }
  });
});

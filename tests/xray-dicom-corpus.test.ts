import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createApiKeyStore, dlqTopic, HEADER_EVENT_ID, TOPICS, type VigilApp } from '@vigil/common';
import { readManifest } from '../services/common/test/unit/imaging/corpus';
import { startChurnStack } from './support/churn-stack';
import { createTestDatabase, type TestDatabase } from './support/database';
import { collect, testBus, waitFor } from './support/kafka';
import { DICOM_DIR, XRAY_DIR } from './support/shared-data';
import { imageForm, xraySample } from './support/xray-fixtures';
import { trainAndPromoteXrayModels } from './support/xray-models';

/**
 * Every file of shared/data/dicom (manifest.csv) through the real endpoints, with live models:
 * POST /v1/xray/predict answers 200 with a prediction or a 4xx problem+json with a reason, never a
 * 5xx; POST /v1/xray/studies accepts exactly the same files (one decoder, one set of limits) and
 * refuses the others with the same status; and every accepted study, stored de-identified, is then
 * predicted by inference from its XrayReceived event.
 */
const manifest = readManifest();

describe('the DICOM corpus through POST /v1/xray/predict and POST /v1/xray/studies', () => {
  let db: TestDatabase;
  let stack: Awaited<ReturnType<typeof startChurnStack>>;
  const bus = testBus();
  const admin = bus.admin();
  const key: Record<string, string> = {};
  const results = new Map<string, { predict: number; study: number; studyId?: string }>();
  let earlyStudyId = '';

  beforeAll(async () => {
    db = await createTestDatabase();
    stack = await startChurnStack({ pool: db.pool, inferencePool: db.pool, bus, admin });
    const keys = createApiKeyStore(db.pool);
    key.ml = (await keys.create('ml-engineer', ['models:admin'])).key;
    key.pacs = (await keys.create('pacs-gateway', ['xray:submit'])).key;
    // A study that arrives while no model is live: inference must wait for one, not dead-letter it.
    await trainAndPromoteXrayModels(stack, key.ml, 12, async () => {
      const early = await post(stack.ingestion, '/v1/xray/studies', readFileSync(path.join(XRAY_DIR, xraySample(1)[0]!.path)));
      expect(early.statusCode).toBe(202);
      earlyStudyId = early.json().studyId;
      await new Promise((resolve) => setTimeout(resolve, 3000)); // relayed and tried (VIGIL_MODEL_NOT_READY) meanwhile
    });
  }, 300_000);
  afterAll(async () => {
    await stack?.close();
    await admin.close();
    await db?.drop();
  });

  function post(app: VigilApp, url: string, image: Buffer) {
    const form = imageForm(image, { accessionNumber: 'ACC-CORPUS' });
    return app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${key.pacs}`, 'content-type': form.contentType }, payload: form.body });
  }
  const getStudy = async (id: string) =>
    (await stack.ingestion.inject({ method: 'GET', url: `/v1/xray/studies/${id}`, headers: { authorization: `Bearer ${key.pacs}` } })).json();
  const predictionsOf = async (studyId: string) =>
    (await db.pool.query(`SELECT count(*)::int AS n FROM inference.predictions WHERE entity_id = $1 AND model_name = 'xray-pneumonia'`, [studyId])).rows[0].n;

  test('the manifest lists the files of the folder', () => {
    expect(manifest.length).toBeGreaterThanOrEqual(24);
  });

  test.each(manifest.map((row) => [row.file]))('%s: a prediction or a 4xx with a reason from both endpoints, never a 5xx', async (file) => {
    const bytes = readFileSync(path.join(DICOM_DIR, file));
    const predicted = await post(stack.inference, '/v1/xray/predict', bytes);
    const stored = await post(stack.ingestion, '/v1/xray/studies', bytes);
    for (const res of [predicted, stored]) {
      expect(res.statusCode).toBeLessThan(500);
      if (res.statusCode >= 400) {
        expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
        expect(res.json()).toMatchObject({ status: res.statusCode, code: expect.stringMatching(/^VIGIL_/), detail: expect.any(String) });
      }
    }
    if (predicted.statusCode === 200) {
      expect(predicted.json()).toMatchObject({ predictionId: expect.any(String), pneumonia: { model: { name: 'xray-pneumonia' } } });
      expect(stored.statusCode).toBe(202);
    } else {
      // What inference cannot decode, ingestion does not store: it is refused the same way, up front.
      expect(stored.statusCode).toBe(predicted.statusCode);
      expect(stored.json().code).toBe(predicted.json().code);
    }
    results.set(file, { predict: predicted.statusCode, study: stored.statusCode, studyId: stored.json().studyId });
  });

  test('the study sent while no model was live waited for one (retried, not dead-lettered) and was predicted after promotion', async () => {
    const study = await waitFor(() => getStudy(earlyStudyId), (s) => s.status === 'done', 120_000);
    expect(study).toMatchObject({ status: 'done', prediction: { pneumonia: { model: { name: 'xray-pneumonia', version: 1 } } } });
    const dlq = await collect(bus, [dlqTopic(TOPICS.xrayReceived)]);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await dlq.close();
    expect(dlq.received.filter((m) => m.key === earlyStudyId)).toEqual([]);
  }, 150_000);

  test('every stored study gets its prediction from inference’s xray-received consumer, once', async () => {
    const accepted = [...results].filter(([, r]) => r.studyId);
    expect(accepted.length).toBeGreaterThanOrEqual(15);
    for (const [file, { studyId }] of accepted) {
      const study = await waitFor(() => getStudy(studyId!), (s) => s.status === 'done', 60_000);
      expect({ file, status: study.status }).toEqual({ file, status: 'done' });
      expect(study.prediction).toMatchObject({ pneumonia: { model: { name: 'xray-pneumonia', version: 1 } }, imageSha256: study.imageSha256 });
    }
    const { rows } = await db.pool.query(
      `SELECT entity_id, count(*)::int AS n FROM inference.predictions WHERE model_name = 'xray-pneumonia' AND input->>'studyId' IS NOT NULL GROUP BY entity_id`,
    );
    expect(rows).toHaveLength(accepted.length + 1); // and the study sent before promotion
    expect(rows.every((r) => r.n === 1)).toBe(true);
  }, 180_000);

  test('inference metrics count the studies predicted by the consumer as they count POST /v1/xray/predict', async () => {
    const text = (await stack.inference.inject({ method: 'GET', url: '/metrics' })).body;
    const counted = text.split('\n').filter((l) => l.startsWith('nv_inference_request_success{') && l.includes('model="xray-pneumonia"'))
      .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n, count(*) FILTER (WHERE input->>'studyId' IS NOT NULL)::int AS studies FROM inference.predictions WHERE model_name = 'xray-pneumonia'`);
    expect(rows[0].studies).toBeGreaterThanOrEqual(15);
    expect(counted).toBe(rows[0].n);
  });

  test('a redelivered XrayReceived (a crash between the audit commit and the inbox commit) makes no second prediction', async () => {
    const [, { studyId }] = [...results].find(([, r]) => r.studyId)!;
    const { rows } = await db.pool.query('SELECT msg_key, payload FROM ingestion.outbox WHERE msg_key = $1', [studyId]);
    // The inbox has no record of it under a new event id, as after such a crash: only the audit lookup can tell.
    const eventId = randomUUID();
    const producer = bus.producer();
    await producer.send([{ topic: TOPICS.xrayReceived, key: studyId!, value: rows[0].payload, headers: { [HEADER_EVENT_ID]: eventId } }]);
    await producer.close();
    const seen = await waitFor(
      async () => (await db.pool.query('SELECT 1 FROM inference.inbox WHERE event_id = $1', [eventId])).rowCount,
      (n) => n === 1,
      30_000,
    );
    expect(seen).toBe(1);
    expect(await predictionsOf(studyId!)).toBe(1);
  });
});

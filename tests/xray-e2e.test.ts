import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createApiKeyStore, decodeEvent, TOPICS, type VigilApp } from '@vigil/common';
import { startChurnStack } from './support/churn-stack';
import { createTestDatabase, type TestDatabase } from './support/database';
import { testBus, waitFor } from './support/kafka';
import { DICOM_DIR, XRAY_DIR } from './support/shared-data';
import { imageForm, xraySample, xrayTar } from './support/xray-fixtures';

// 36 images per subtype, one per patient: enough for a patient split with every class in each
// part, small enough to embed in seconds.
const sample = xraySample(36);
const pneumoniaImage = readFileSync(path.join(XRAY_DIR, sample.find((r) => r.subtype === 'bacterial')!.path));
const normalImage = readFileSync(path.join(XRAY_DIR, sample.find((r) => r.subtype === 'normal')!.path));
const chestDicom = readFileSync(path.join(DICOM_DIR, 'nhsx_NIH-CXR14_chest_DX_SC_implicitLE.dcm'));

describe('pneumonia end to end: X-ray dataset → two-stage training → promote → predict → audit → replay', () => {
  let db: TestDatabase;
  let stack: Awaited<ReturnType<typeof startChurnStack>>;
  const bus = testBus();
  const admin = bus.admin();
  const key: Record<string, string> = {};
  let job: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  let v1PredictionId = '';

  beforeAll(async () => {
    db = await createTestDatabase();
    stack = await startChurnStack({ pool: db.pool, inferencePool: db.pool, bus, admin, xrayConfidenceLogitMargin: 2 });
    const keys = createApiKeyStore(db.pool);
    key.ml = (await keys.create('ml-engineer', ['models:admin'])).key;
    key.pacs = (await keys.create('pacs-gateway', ['xray:submit'])).key;
    key.auditor = (await keys.create('auditor', ['audit:read'])).key;
  });
  afterAll(async () => {
    await stack?.close();
    await admin.close();
    await db.drop();
  });

  const call = (app: VigilApp, who: string, method: 'GET' | 'POST', url: string, payload?: unknown, contentType = 'application/json') =>
    app.inject({ method, url, headers: { authorization: `Bearer ${key[who]}`, 'content-type': contentType }, payload: payload as string });
  const predict = (image: Buffer, fields: Record<string, string> = {}) => {
    const form = imageForm(image, fields);
    return call(stack.inference, 'pacs', 'POST', '/v1/xray/predict', form.body, form.contentType);
  };

  test('the xray pipeline trains xray-pneumonia and xray-type from one dataset, with a recall-tuned threshold and lineage', async () => {
    const uploaded = await call(stack.ingestion, 'ml', 'POST', '/v1/datasets/xray', await xrayTar(sample), 'application/x-tar');
    expect(uploaded.statusCode).toBe(201);
    const { datasetId } = uploaded.json();
    const queued = await call(stack.training, 'ml', 'POST', '/v1/training/jobs', { pipeline: 'xray', datasetId });
    expect(queued.statusCode).toBe(202);
    job = await waitFor(
      async () => (await call(stack.training, 'ml', 'GET', `/v1/training/jobs/${queued.json().jobId}`)).json(),
      (j) => j.status === 'succeeded' || j.status === 'failed',
      240_000,
    );
    expect(job.error).toBeNull();
    expect(job.status).toBe('succeeded');
    expect(job.models.map((m: { name: string }) => m.name)).toEqual(['xray-pneumonia', 'xray-type']);
    const pneumonia = job.metrics['xray-pneumonia'];
    // Validation recall reaches the target by construction; the test split is patients never seen.
    expect(pneumonia.validation.recall).toBeGreaterThanOrEqual(0.98);
    expect(pneumonia.rocAuc).toBeGreaterThan(pneumonia.baseline.rocAuc);
    expect(pneumonia).toMatchObject({ specificity: expect.any(Number), confusion: expect.any(Object), threshold: expect.any(Number) });
    const lineage = pneumonia.imageSha256;
    const trainSet = new Set(lineage.train);
    expect(lineage.test.some((h: string) => trainSet.has(h))).toBe(false);
    expect(lineage.train.length + lineage.validation.length + lineage.test.length).toBe(sample.length);
    const typeMetrics = job.metrics['xray-type'];
    expect(typeMetrics.images.train + typeMetrics.images.validation + typeMetrics.images.test).toBe(sample.length * (2 / 3));
    const versions = (await call(stack.training, 'ml', 'GET', '/v1/models/xray-pneumonia/versions')).json();
    const [v1] = versions.versions;
    expect(v1.preprocess).toMatchObject({ size: 224, channels: 3 });
    expect(v1.backbone.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(v1.confidenceBand.low).toBeLessThan(v1.threshold);
    expect(v1.confidenceBand.high).toBeGreaterThan(v1.threshold);
  }, 300_000);

  test('nothing is served before promotion; after it, a pneumonia X-ray gets both stages and a normal one only the first', async () => {
    const before = await predict(normalImage);
    expect(before.statusCode).toBe(503);
    for (const m of job.models) {
      const promoted = await call(stack.training, 'ml', 'POST', `/v1/models/${m.name}/versions/${m.version}/promote`, {});
      expect(promoted.statusCode).toBe(200);
    }
    await waitFor(() => stack.live.get('xray-type')?.ref.version, (v) => v === 1, 30_000);
    await waitFor(() => stack.live.get('xray-pneumonia')?.ref.version, (v) => v === 1, 30_000);

    const sick = await predict(pneumoniaImage, { accessionNumber: 'ACC-1001', patientRef: 'pseudo-77' });
    expect(sick.statusCode).toBe(200);
    const body = sick.json();
    expect(body).toMatchObject({
      predictionId: expect.any(String),
      imageSha256: createHash('sha256').update(pneumoniaImage).digest('hex'),
      pneumonia: { probability: expect.any(Number), threshold: expect.any(Number), model: { name: 'xray-pneumonia', version: 1 } },
      confidence: expect.stringMatching(/^(high|low)$/),
    });
    expect(body.pneumonia.positive).toBe(body.pneumonia.probability >= body.pneumonia.threshold);
    if (body.pneumonia.positive) expect(body.type).toMatchObject({ label: expect.stringMatching(/^(bacterial|viral)$/), model: { name: 'xray-type' } });
    else expect(body.type).toBeUndefined();
    expect(body.alert).toBe(body.confidence === 'low');
  });

  test('every prediction is audited with the image hash, and replay on the stored versions reproduces it exactly', async () => {
    const res = await predict(pneumoniaImage);
    const { predictionId, imageSha256 } = res.json();
    v1PredictionId = predictionId;
    const audit = await call(stack.inference, 'auditor', 'GET', `/v1/audit/predictions/${predictionId}`);
    expect(audit.statusCode).toBe(200);
    expect(audit.json()).toMatchObject({ imageSha256, model: { name: 'xray-pneumonia', version: 1 }, client: 'pacs-gateway' });
    const replay = await call(stack.inference, 'auditor', 'POST', `/v1/audit/predictions/${predictionId}/replay`, {});
    expect(replay.statusCode).toBe(200);
    expect(replay.json().identical).toBe(true);
  });

  test('a low-confidence result raises an alert-raised event committed with the prediction', async () => {
    // The margin of 2 log-odds makes the band wide: look for a result inside it among a few images.
    let low: Record<string, any> | undefined; // eslint-disable-line @typescript-eslint/no-explicit-any
    for (const row of sample.slice(0, 40)) {
      const r = (await predict(readFileSync(path.join(XRAY_DIR, row.path)))).json();
      if (r.confidence === 'low') {
        low = r;
        break;
      }
    }
    expect(low).toBeDefined();
    expect(low!.alert).toBe(true);
    const { rows } = await db.pool.query(`SELECT payload FROM inference.outbox WHERE topic = $1`, [TOPICS.alertRaised]);
    const events = rows.map((r) => decodeEvent(TOPICS.alertRaised, r.payload));
    expect(events.some((e) => e.predictionId === low!.predictionId && e.kind === 'low_confidence' && e.modelName === 'xray-pneumonia')).toBe(true);
  });

  test('a DICOM chest X-ray is decoded, predicted and stored de-identified', async () => {
    const res = await predict(chestDicom, { accessionNumber: 'ACC-DICOM-1' });
    expect(res.statusCode).toBe(200);
    const audit = (await call(stack.inference, 'auditor', 'GET', `/v1/audit/predictions/${res.json().predictionId}`)).json();
    expect(audit.input.format).toBe('dicom');
    const stored = readFileSync(path.join(stack.blobDir, 'sha256', audit.input.storedSha256.slice(0, 2), audit.input.storedSha256.slice(2, 4), audit.input.storedSha256));
    expect(audit.input.storedSha256).not.toBe(audit.imageSha256);
    // PS3.15: the stored object says it was de-identified.
    expect(stored.includes(Buffer.from('YES'))).toBe(true);
  });

  test('a retrained version passes the promotion gate only after both versions are scored on its holdout images', async () => {
    const queued = await call(stack.training, 'ml', 'POST', '/v1/training/jobs', { pipeline: 'xray', datasetId: job.datasetId });
    const again = await waitFor(
      async () => (await call(stack.training, 'ml', 'GET', `/v1/training/jobs/${queued.json().jobId}`)).json(),
      (j) => j.status === 'succeeded' || j.status === 'failed',
      240_000,
    );
    expect(again.models.map((m: { name: string; version: number }) => `${m.name}:${m.version}`)).toEqual(['xray-pneumonia:2', 'xray-type:2']);
    // Same data, same seed: the same model, so the gate sees equal AUCs on the same images.
    expect(again.models[0].sha256).toBe(job.models[0].sha256);
    const promoted = await call(stack.training, 'ml', 'POST', '/v1/models/xray-pneumonia/versions/2/promote', {});
    expect(promoted.statusCode).toBe(200);
    const { comparison } = promoted.json();
    expect(comparison.rows).toBe(job.metrics['xray-pneumonia'].images.test);
    expect(comparison.candidateRocAuc).toBe(comparison.liveRocAuc);
    await waitFor(() => stack.live.get('xray-pneumonia')?.ref.version, (v) => v === 2, 30_000);
    // Version 1 is no longer live: replay loads it from the repository for the occasion.
    const replay = await call(stack.inference, 'auditor', 'POST', `/v1/audit/predictions/${v1PredictionId}/replay`, {});
    expect(replay.json()).toMatchObject({ identical: true, models: [{ model: { name: 'xray-pneumonia', version: 1 } }, { model: { version: 1 } }] });
  }, 300_000);

  test('bad images get 4xx problems and are not audited', async () => {
    const count = async () => (await db.pool.query('SELECT count(*)::int AS n FROM inference.predictions')).rows[0].n;
    const before = await count();
    const text = await predict(Buffer.from('this is not an image, whatever the file name says'));
    expect(text.statusCode).toBe(415);
    expect(text.headers['content-type']).toMatch(/application\/problem\+json/);
    const truncated = await predict(pneumoniaImage.subarray(0, 200));
    expect([400, 422]).toContain(truncated.statusCode);
    const noImage = await call(stack.inference, 'pacs', 'POST', '/v1/xray/predict', { accessionNumber: 'x' });
    expect(noImage.statusCode).toBe(415);
    expect(await count()).toBe(before);
  });
});

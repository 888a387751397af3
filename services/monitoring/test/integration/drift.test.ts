import { IMAGE_STAT_FEATURES, numericReference } from '@vigil/common';
import { createTestDatabase, type TestDatabase } from '../../../../tests/support/database';
import { waitFor } from '../../../../tests/support/kafka';
import { churnRows, referenceOf, rng, type ChurnShapedRow } from '../support/churn-rows';
import { auditPredictions, recordedPredictions, registerVersion, startModelWatch } from '../support/model-watch';

const HOUR_MS = 3_600_000;

/** A churn audit row as inference stores it: the posted row (customerID included) and the answer with its explanation. */
const churnAudit = (r: ChurnShapedRow, at?: Date) => ({
  input: { customerID: 'C', gender: 'Female', Contract: r.Contract, InternetService: r.InternetService, tenure: r.tenure, MonthlyCharges: r.MonthlyCharges, TotalCharges: r.TotalCharges },
  output: { probability: r.probability, churn: r.probability >= 0.5, threshold: 0.5, explanation: [{ feature: 'tenure', contribution: 0.1 }] },
  at,
});

/** Image statistics like the training X-rays' (224 × 224 JPEGs of varied brightness and contrast). */
function imageStats(n: number, seed: number) {
  const r = rng(seed);
  return Array.from({ length: n }, () => ({ meanIntensity: 90 + r() * 60, stdIntensity: 40 + r() * 25, width: 224, height: 224 }));
}

describe('GET /v1/monitoring/models/{name}/drift and vigil_model_psi, on real audit rows', () => {
  let db: TestDatabase;
  let watch: Awaited<ReturnType<typeof startModelWatch>>;
  let key = '';

  beforeAll(async () => {
    db = await createTestDatabase();
    watch = await startModelWatch({ url: db.url, admin: db.pool });
    key = await watch.key(['monitoring:read']);

    // churn v1: trained on rows like these; live traffic 2 days ago looked the same, the last hour's is charged 50 more a month.
    await registerVersion(db.pool, 'churn', 1, { reference: referenceOf(churnRows(4000, 1)) });
    await auditPredictions(db.pool, 'churn', 1, churnRows(3000, 2).map((r) => churnAudit(r, new Date(Date.now() - 2 * 24 * HOUR_MS))));
    await auditPredictions(db.pool, 'churn', 1, churnRows(1500, 3).map((r) => churnAudit({ ...r, MonthlyCharges: r.MonthlyCharges + 50 })));
    // churn v2 predates references: it can be asked about, but has nothing to compare with.
    await registerVersion(db.pool, 'churn', 2);

    // xray-pneumonia v1: the reference over image statistics; live X-rays with the same statistics.
    const trained = imageStats(2000, 4);
    await registerVersion(db.pool, 'xray-pneumonia', 1, {
      reference: {
        n: 2000,
        features: IMAGE_STAT_FEATURES.map((f) => numericReference(f, trained.map((s) => s[f]))),
        score: numericReference('score', trained.map((_, i) => (i % 10) / 10)),
      },
    });
    await auditPredictions(db.pool, 'xray-pneumonia', 1, imageStats(1500, 5).map((stats, i) => ({
      // The statistics are read from input.stats, not from the upload's own fields beside them.
      input: { imageSha256: 'ab', format: 'jpeg', width: 1024, height: 1024, stats },
      output: { probability: (i % 10) / 10, positive: i % 10 >= 5, confidence: 'high' },
    })));

    // xray-type v1: the reference describes P(bacterial); inference stores the probability of the label it answered.
    const pBacterial = Array.from({ length: 2000 }, (_, i) => ((i * 7919) % 1000) / 1000);
    await registerVersion(db.pool, 'xray-type', 1, {
      reference: { n: 2000, features: IMAGE_STAT_FEATURES.map((f) => numericReference(f, trained.map((s) => s[f]))), score: numericReference('score', pBacterial) },
    });
    await auditPredictions(db.pool, 'xray-type', 1, pBacterial.slice(0, 1500).map((p, i) => ({
      input: { stats: trained[i] },
      output: p >= 0.5 ? { label: 'bacterial', probability: p, confidence: 'high' } : { label: 'viral', probability: 1 - p, confidence: 'high' },
    })));
  });
  afterAll(async () => {
    await watch.close();
    await db.drop();
  });

  const drift = (url: string) => watch.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${key}` } });
  const psiOf = (body: { features: { feature: string; psi: number }[] }) => Object.fromEntries(body.features.map((f) => [f.feature, f.psi]));

  test('the last hour’s MonthlyCharges + 50 shows as PSI > 0.2 on that feature, and on no other', async () => {
    const res = await drift('/v1/monitoring/models/churn/drift?window=1h&version=1');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ model: 'churn', version: '1', window: '1h', n: 1500, capped: false });
    const psi = psiOf(body);
    expect(Object.keys(psi)).toEqual(['Contract', 'InternetService', 'tenure', 'MonthlyCharges', 'TotalCharges']);
    expect(psi.MonthlyCharges).toBeGreaterThan(0.2);
    for (const f of ['Contract', 'InternetService', 'tenure', 'TotalCharges']) expect(psi[f]).toBeLessThan(0.03);
    expect(body.score).toBeLessThan(0.03);
    expect(new Date(body.to).getTime() - new Date(body.from).getTime()).toBe(HOUR_MS);
  });

  test('over 7 days the shifted hour is diluted by the earlier, unshifted traffic', async () => {
    const body = (await drift('/v1/monitoring/models/churn/drift?window=7d&version=1')).json();
    expect(body.n).toBe(4500);
    const psi = psiOf(body);
    expect(psi.MonthlyCharges).toBeLessThan(psiOf((await drift('/v1/monitoring/models/churn/drift?window=1h&version=1')).json()).MonthlyCharges);
  });

  test('X-ray models are compared on input.stats, and the type model on P(bacterial)', async () => {
    const pneumonia = (await drift('/v1/monitoring/models/xray-pneumonia/drift?window=1d')).json();
    expect(pneumonia).toMatchObject({ version: '1', n: 1500 });
    expect(pneumonia.features.map((f: { feature: string }) => f.feature)).toEqual([...IMAGE_STAT_FEATURES]);
    for (const f of pneumonia.features) expect(f.psi).toBeLessThan(0.03);
    expect(pneumonia.score).toBeLessThan(0.03);
    const type = (await drift('/v1/monitoring/models/xray-type/drift?window=1d')).json();
    expect(type.score).toBeLessThan(0.03);
  });

  test('without a version the one that made the newest prediction is measured; versions without a reference and unknown models are 404', async () => {
    await recordedPredictions(db.pool, 'churn', '1', [new Date()]);
    expect((await drift('/v1/monitoring/models/churn/drift?window=1h')).json()).toMatchObject({ version: '1', n: 1500 });
    const old = await drift('/v1/monitoring/models/churn/drift?version=2');
    expect(old.statusCode).toBe(404);
    expect(old.json().detail).toMatch(/no reference distribution/);
    expect((await drift('/v1/monitoring/models/astrology/drift')).statusCode).toBe(404);
    expect((await drift('/v1/monitoring/models/churn/drift?window=10y')).statusCode).toBe(400);
    expect((await watch.app.inject({ method: 'GET', url: '/v1/monitoring/models/churn/drift' })).statusCode).toBe(401);
  });

  test('a window holding more than 20,000 predictions is compared on its newest 20,000, and says so', async () => {
    await registerVersion(db.pool, 'churn', 3, { reference: referenceOf(churnRows(4000, 1)) });
    const rows = churnRows(21_000, 6);
    for (let i = 0; i < rows.length; i += 7000) await auditPredictions(db.pool, 'churn', 3, rows.slice(i, i + 7000).map((r) => churnAudit(r)));
    const body = (await drift('/v1/monitoring/models/churn/drift?window=1d&version=3')).json();
    expect(body).toMatchObject({ version: '3', n: 20_000, capped: true });
    expect(psiOf(body).MonthlyCharges).toBeLessThan(0.02);
  });

  test('the refresher publishes vigil_model_psi per model, version, window and feature (score included)', async () => {
    watch.refresh.start();
    const metrics = async () => (await watch.app.inject({ method: 'GET', url: '/metrics' })).body;
    const text = await waitFor(metrics, (t) => t.includes('vigil_model_psi{'), 30_000);
    // Each series line, e.g. vigil_model_psi{model="churn",version="1",window="1h",feature="tenure",service="monitoring"} 0.004
    const gauge = (labels: string) => Number(new RegExp(`vigil_model_psi\\{${labels},service="monitoring"\\} (\\S+)`).exec(text)?.[1]);
    expect(gauge('model="churn",version="1",window="1h",feature="MonthlyCharges"')).toBeGreaterThan(0.2);
    expect(gauge('model="churn",version="1",window="1h",feature="tenure"')).toBeLessThan(0.03);
    expect(gauge('model="churn",version="1",window="7d",feature="score"')).toBeLessThan(0.03);
    expect(gauge('model="xray-pneumonia",version="1",window="1d",feature="meanIntensity"')).toBeLessThan(0.03);
    // The 1h window of the X-ray models holds their rows too (inserted just now); churn v2 has no reference, so no series.
    expect(text).not.toMatch(/vigil_model_psi\{model="churn",version="2"/);
    expect(text).toMatch(/vigil_model_drift_rows\{model="churn",version="1",window="1h",service="monitoring"\} 1500/);
  });
});

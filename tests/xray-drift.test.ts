import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { createApiKeyStore, createMetricsRegistry, createPool, IMAGE_STAT_FEATURES, type Pool, type VigilApp } from '@vigil/common';
import { createAlertStore } from '../services/monitoring/src/adapters/postgres/alert-store';
import { createDriftReader } from '../services/monitoring/src/adapters/postgres/drift-reader';
import { createFeedbackWriter } from '../services/monitoring/src/adapters/postgres/feedback-writer';
import { createQualityReader } from '../services/monitoring/src/adapters/postgres/quality-reader';
import { createTaskConfigs } from '../services/monitoring/src/adapters/postgres/task-configs';
import { buildApp as buildMonitoring } from '../services/monitoring/src/app';
import { startChurnStack } from './support/churn-stack';
import { createTestDatabase, type TestDatabase } from './support/database';
import { silentLogger, testBus } from './support/kafka';
import { XRAY_DIR } from './support/shared-data';
import { imageForm, xrayManifest } from './support/xray-fixtures';
import { trainAndPromoteXrayModels } from './support/xray-models';

// Live X-rays: 30 images of the set that the small training sample (12 per subtype) does not use.
const liveImages = xrayManifest().slice(-30).map((r) => readFileSync(path.join(XRAY_DIR, r.path)));

describe('X-ray drift end to end: the training images’ statistics are the reference live X-rays are compared with', () => {
  let db: TestDatabase;
  let stack: Awaited<ReturnType<typeof startChurnStack>>;
  let monitoringPool: Pool;
  let monitoring: VigilApp;
  const bus = testBus();
  const admin = bus.admin();
  const key: Record<string, string> = {};

  beforeAll(async () => {
    db = await createTestDatabase();
    stack = await startChurnStack({ pool: db.pool, inferencePool: db.pool, bus, admin });
    monitoringPool = createPool({ connectionString: db.url, applicationName: 'monitoring-under-test', role: 'vigil_monitoring' });
    const day = { name: '1d', ms: 86_400_000 };
    monitoring = await buildMonitoring({
      logger: silentLogger, metrics: createMetricsRegistry('monitoring'), apiKeys: createApiKeyStore(monitoringPool), readiness: {},
      alerts: createAlertStore(monitoringPool),
      feedback: { tasks: createTaskConfigs(monitoringPool), writer: createFeedbackWriter(monitoringPool), now: () => new Date(), churnWindowMs: 90 * 86_400_000 },
      performance: { tasks: createTaskConfigs(monitoringPool), reader: createQualityReader(monitoringPool), defaultWindow: day },
      drift: { reader: createDriftReader(monitoringPool), defaultWindow: day },
    });
    const keys = createApiKeyStore(db.pool);
    key.ml = (await keys.create('ml-engineer', ['models:admin'])).key;
    key.pacs = (await keys.create('pacs-gateway', ['xray:submit'])).key;
    key.sre = (await keys.create('sre', ['monitoring:read'])).key;
  });
  afterAll(async () => {
    await monitoring?.close();
    await monitoringPool?.end();
    await stack?.close();
    await admin.close();
    await db.drop();
  });

  const call = (app: VigilApp, who: string, method: 'GET' | 'POST', url: string, payload?: unknown, contentType = 'application/json') =>
    app.inject({ method, url, headers: { authorization: `Bearer ${key[who]}`, 'content-type': contentType }, payload: payload as string });
  const predict = async (image: Buffer) => {
    const form = imageForm(image);
    const res = await call(stack.inference, 'pacs', 'POST', '/v1/xray/predict', form.body, form.contentType);
    expect(res.statusCode).toBe(200);
  };
  const drift = async (model: string) => (await call(monitoring, 'sre', 'GET', `/v1/monitoring/models/${model}/drift?window=1h`)).json();

  test('both X-ray versions store a reference: the image statistics of their training images and their training scores', async () => {
    await trainAndPromoteXrayModels(stack, key.ml, 12);
    const { rows } = await db.pool.query(
      `SELECT name, config->'reference' AS reference, jsonb_array_length(metrics->'imageSha256'->'train') AS train FROM training.model_versions ORDER BY name`,
    );
    expect(rows.map((r) => r.name)).toEqual(['xray-pneumonia', 'xray-type']);
    for (const r of rows) {
      expect(r.reference.features.map((f: { name: string }) => f.name)).toEqual([...IMAGE_STAT_FEATURES]);
      expect(r.reference).toMatchObject({ n: r.train, score: { name: 'score', kind: 'numeric' } });
    }
  }, 300_000);

  test('darkened X-rays (a changed window/level) drift on mean intensity; X-rays like the training ones less', async () => {
    for (const image of liveImages) await predict(image);
    const like = await drift('xray-pneumonia');
    expect(like).toMatchObject({ version: '1', n: 30 });
    const meanPsi = (body: { features: { feature: string; psi: number }[] }) => body.features.find((f) => f.feature === 'meanIntensity')!.psi;

    await db.pool.query(`UPDATE inference.predictions SET created_at = created_at - interval '2 hours'`);
    for (const image of liveImages) await predict(await sharp(image).linear(0.4, 0).jpeg().toBuffer());
    const dark = await drift('xray-pneumonia');
    expect(dark.n).toBe(30);
    expect(meanPsi(dark)).toBeGreaterThan(0.2);
    expect(meanPsi(dark)).toBeGreaterThan(meanPsi(like));
    // The width and height of these images are the training ones' (224 × 224): no drift there.
    expect(dark.features.find((f: { feature: string }) => f.feature === 'width').psi).toBeLessThan(0.01);
  }, 120_000);
});

import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { createApiKeyStore, createMetricsRegistry, createPool, type Pool, type VigilApp } from '@vigil/common';
import { createAlertStore } from '../services/monitoring/src/adapters/postgres/alert-store';
import { createDriftReader } from '../services/monitoring/src/adapters/postgres/drift-reader';
import { createFeedbackWriter } from '../services/monitoring/src/adapters/postgres/feedback-writer';
import { createQualityReader } from '../services/monitoring/src/adapters/postgres/quality-reader';
import { createTaskConfigs } from '../services/monitoring/src/adapters/postgres/task-configs';
import { buildApp as buildMonitoring } from '../services/monitoring/src/app';
import { startChurnStack } from './support/churn-stack';
import { createTestDatabase, type TestDatabase } from './support/database';
import { silentLogger, testBus, waitFor } from './support/kafka';
import { TELCO_CSV } from './support/shared-data';

type Row = Record<string, string>;
const allRows = parse(readFileSync(TELCO_CSV, 'utf8'), { columns: true }) as Row[];
const header = Object.keys(allRows[0]);
// Trained on 2,000 customers; scored on 1,000 others, as they are and with MonthlyCharges + 50.
const trainRows = allRows.slice(0, 2000);
const liveRows = allRows.slice(2000, 3000);
const toCsv = (rows: Row[]) => [header.join(','), ...rows.map((r) => header.map((h) => (/[",]/.test(r[h]) ? `"${r[h]}"` : r[h])).join(','))].join('\n');
const asCustomer = ({ Churn: _label, ...rest }: Row) => rest;

describe('a churn model watched and retired: drift of real scores, decommission, re-promotion', () => {
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
    // Monitoring as it runs: role vigil_monitoring, reading training's references and inference's audit rows through its grants.
    monitoringPool = createPool({ connectionString: db.url, applicationName: 'monitoring-under-test', role: 'vigil_monitoring' });
    const week = { name: '7d', ms: 7 * 86_400_000 };
    monitoring = await buildMonitoring({
      logger: silentLogger, metrics: createMetricsRegistry('monitoring'), apiKeys: createApiKeyStore(monitoringPool), readiness: {},
      alerts: createAlertStore(monitoringPool),
      feedback: { tasks: createTaskConfigs(monitoringPool), writer: createFeedbackWriter(monitoringPool), now: () => new Date(), churnWindowMs: 90 * 86_400_000 },
      performance: { tasks: createTaskConfigs(monitoringPool), reader: createQualityReader(monitoringPool), defaultWindow: week },
      drift: { reader: createDriftReader(monitoringPool), defaultWindow: week },
    });
    const keys = createApiKeyStore(db.pool);
    key.ml = (await keys.create('ml-lead', ['models:admin'])).key;
    key.crm = (await keys.create('crm-prod', ['churn:score'])).key;
    key.auditor = (await keys.create('auditor', ['audit:read'])).key;
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
  const score = (rows: Row[]) => call(stack.inference, 'crm', 'POST', '/v1/churn/score', { customers: rows.map(asCustomer) });
  const psiOf = (body: { features: { feature: string; psi: number }[] }) => Object.fromEntries(body.features.map((f) => [f.feature, f.psi]));
  let predictionId = '';

  test('version 1 is trained, stores the reference of every feature and of the score, and goes live', async () => {
    const uploaded = await call(stack.ingestion, 'ml', 'POST', '/v1/datasets/churn', toCsv(trainRows), 'text/csv');
    const queued = await call(stack.training, 'ml', 'POST', '/v1/training/jobs', { pipeline: 'churn', datasetId: uploaded.json().datasetId });
    const job = await waitFor(
      async () => (await call(stack.training, 'ml', 'GET', `/v1/training/jobs/${queued.json().jobId}`)).json(),
      (j) => j.status === 'succeeded' || j.status === 'failed',
      120_000,
    );
    expect(job.status).toBe('succeeded');
    const { rows } = await db.pool.query(`SELECT config->'reference' AS reference FROM training.model_versions WHERE name = 'churn' AND version = 1`);
    expect(rows[0].reference.features).toHaveLength(19);
    expect((await call(stack.training, 'ml', 'POST', '/v1/models/churn/versions/1/promote', {})).statusCode).toBe(200);
    await waitFor(() => stack.live.get('churn')?.ref.version, (v) => v === 1, 30_000);
  }, 150_000);

  test('customers like the training ones do not drift; the same customers charged 50 more a month drift on MonthlyCharges alone', async () => {
    for (let i = 0; i < liveRows.length; i += 500) expect((await score(liveRows.slice(i, i + 500))).statusCode).toBe(200);
    const steady = (await call(monitoring, 'sre', 'GET', '/v1/monitoring/models/churn/drift?window=1h&version=1')).json();
    expect(steady).toMatchObject({ version: '1', n: 1000 });
    for (const f of steady.features) expect(f.psi).toBeLessThan(0.1);
    expect(steady.score).toBeLessThan(0.1);

    // A price rise: the next hour's traffic is only the shifted rows; compare them alone through a fresh window.
    await db.pool.query(`UPDATE inference.predictions SET created_at = created_at - interval '2 hours'`);
    const shifted = liveRows.map((r) => ({ ...r, MonthlyCharges: String(Number(r.MonthlyCharges) + 50) }));
    for (let i = 0; i < shifted.length; i += 500) {
      const res = await score(shifted.slice(i, i + 500));
      expect(res.statusCode).toBe(200);
      predictionId = res.json().predictions[0].predictionId;
    }
    const drifted = (await call(monitoring, 'sre', 'GET', '/v1/monitoring/models/churn/drift?window=1h&version=1')).json();
    expect(drifted.n).toBe(1000);
    const psi = psiOf(drifted);
    expect(psi.MonthlyCharges).toBeGreaterThan(0.2);
    for (const [feature, value] of Object.entries(psi)) if (feature !== 'MonthlyCharges') expect(value).toBeLessThan(0.1);
  }, 60_000);

  test('decommissioned: inference unloads the model and answers 503 MODEL_NOT_READY; the audit trail and the history stay', async () => {
    const res = await call(stack.training, 'ml', 'POST', '/v1/models/churn/decommission', { reason: 'pricing changed; retrain before serving again' });
    expect(res.statusCode).toBe(200);
    await waitFor(() => stack.live.get('churn'), (m) => m === undefined, 30_000);

    const refused = await score(liveRows.slice(0, 1));
    expect(refused.statusCode).toBe(503);
    expect(refused.json().code).toBe('VIGIL_MODEL_NOT_READY');
    const audit = await call(stack.inference, 'auditor', 'GET', `/v1/audit/predictions/${predictionId}`);
    expect(audit.statusCode).toBe(200);
    expect(audit.json()).toMatchObject({ predictionId, model: { name: 'churn', version: 1 } });
    const history = (await call(stack.training, 'ml', 'GET', '/v1/models/churn/history')).json().deployments;
    expect(history.map((d: { action: string }) => d.action)).toEqual(['promote', 'decommission']);
    expect(history[1]).toMatchObject({ version: 1, actor: 'ml-lead', reason: 'pricing changed; retrain before serving again' });
    expect((await call(stack.training, 'ml', 'GET', '/v1/models/churn/versions')).json().liveVersion).toBeNull();
    // Drift of what the version answered stays readable after it stopped serving.
    expect((await call(monitoring, 'sre', 'GET', '/v1/monitoring/models/churn/drift?window=1d&version=1')).json().n).toBe(2000);
  }, 60_000);

  test('promoting a version again re-activates the model', async () => {
    expect((await call(stack.training, 'ml', 'POST', '/v1/models/churn/versions/1/promote', {})).statusCode).toBe(200);
    await waitFor(() => stack.live.get('churn')?.ref.version, (v) => v === 1, 30_000);
    expect((await score(liveRows.slice(0, 1))).statusCode).toBe(200);
  }, 60_000);
});

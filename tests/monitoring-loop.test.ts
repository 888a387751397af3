import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { createApiKeyStore, type VigilApp } from '@vigil/common';
import { startChurnStack } from './support/churn-stack';
import { createTestDatabase, type TestDatabase } from './support/database';
import { testBus, waitFor } from './support/kafka';
import { startMonitoringStack } from './support/monitoring-stack';
import { TELCO_CSV } from './support/shared-data';

type Row = Record<string, string>;
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const text = readFileSync(TELCO_CSV, 'utf8');
const lines = text.split(/\r?\n/);
const rows = parse(text, { columns: true }) as Row[];
// Trained on the first 2,000 customers (as in retraining.test.ts); scored on 400 it never saw.
const TRAIN = 2000;
const trainingCsv = lines.slice(0, TRAIN + 1).join('\n');
const scored = rows.slice(TRAIN, TRAIN + 400);
const asCustomer = ({ Churn: _label, ...rest }: Row) => rest;

/** A fixed order of the scored customers: the first `fraction` of it get a flipped label, so each round's flips include the last round's. */
const flipOrder = (() => {
  let seed = 20250301;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const order = scored.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
})();

describe('the monitoring loop: labels reveal a decaying model, its policy breaches, an alert is raised and a retrained version waits for approval', () => {
  let db: TestDatabase;
  let stack: Awaited<ReturnType<typeof startChurnStack>>;
  let monitoring: Awaited<ReturnType<typeof startMonitoringStack>>;
  const bus = testBus();
  const admin = bus.admin();
  const key: Record<string, string> = {};
  let datasetId = '';
  let predictionIds: string[] = [];
  let policyId = '';
  const aucs: number[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    stack = await startChurnStack({ pool: db.pool, inferencePool: db.pool, bus, admin });
    monitoring = await startMonitoringStack({ pool: db.pool, inferencePool: db.pool, bus, admin, evaluationMs: 300 });
    const keys = createApiKeyStore(db.pool);
    key.ml = (await keys.create('ml-engineer', ['models:admin'])).key;
    key.crm = (await keys.create('crm-prod', ['churn:score', 'feedback:write'])).key;
    key.sre = (await keys.create('sre', ['monitoring:read', 'alerts:read'])).key;
  });
  afterAll(async () => {
    await monitoring?.close();
    await stack?.close();
    await admin.close();
    await db.drop();
  });

  const call = (app: VigilApp, who: string, method: 'GET' | 'POST', url: string, payload?: unknown, contentType = 'application/json') =>
    app.inject({ method, url, headers: { authorization: `Bearer ${key[who]}`, 'content-type': contentType }, payload: payload as string });
  const job = async (jobId: string) => call(stack.training, 'ml', 'GET', `/v1/training/jobs/${jobId}`);
  const jobDone = (jobId: string) =>
    waitFor(async () => (await job(jobId)).json(), (j) => j.status === 'succeeded' || j.status === 'failed', 120_000);
  const performance = async (): Promise<Json | undefined> =>
    (await call(monitoring.app, 'sre', 'GET', '/v1/monitoring/models/churn/performance?window=1h&version=1')).json().versions?.[0];
  const breaches = async (): Promise<Json[]> => (await call(monitoring.app, 'sre', 'GET', '/v1/monitoring/models/churn/breaches')).json().breaches;

  /** The true outcomes, with the first `noise` share of the fixed order flipped; returns the AUC monitoring then measures. */
  async function label(noise: number): Promise<number> {
    const flipped = new Set(flipOrder.slice(0, Math.round(noise * scored.length)));
    const items = scored.map((row, i) => ({ predictionId: predictionIds[i], label: (row.Churn === 'Yes') !== flipped.has(i) }));
    const res = await call(monitoring.app, 'crm', 'POST', '/v1/feedback', { items });
    expect(res.json()).toMatchObject({ accepted: scored.length, labelled: scored.length, unknown: [], rejected: [] });
    const measured = (await performance())!;
    expect(measured.labelled).toBe(scored.length);
    aucs.push(measured.metrics.rocAuc);
    return measured.metrics.rocAuc;
  }

  test('version 1 is trained, promoted and scores customers, whose predictions reach monitoring', async () => {
    const uploaded = await call(stack.ingestion, 'ml', 'POST', '/v1/datasets/churn', trainingCsv, 'text/csv');
    datasetId = uploaded.json().datasetId;
    const queued = await call(stack.training, 'ml', 'POST', '/v1/training/jobs', { pipeline: 'churn', datasetId });
    expect((await jobDone(queued.json().jobId)).status).toBe('succeeded');
    expect((await call(stack.training, 'ml', 'POST', '/v1/models/churn/versions/1/promote', {})).statusCode).toBe(200);
    await waitFor(() => stack.live.get('churn')?.ref.version, (v) => v === 1);

    const res = await call(stack.inference, 'crm', 'POST', '/v1/churn/score', { customers: scored.map(asCustomer) });
    expect(res.statusCode).toBe(200);
    predictionIds = res.json().predictions.map((p: { predictionId: string }) => p.predictionId);
    // inference's outbox → vigil.prediction.made.v1 → monitoring's prediction consumer.
    const seen = await waitFor(performance, (v) => (v?.predictions ?? 0) >= scored.length, 60_000);
    expect(seen).toMatchObject({ version: '1', predictions: scored.length, labelled: 0 });
  }, 150_000);

  test('a policy "roc_auc < 0.80 on at least 100 labels" holds while the labels are true', async () => {
    const created = await call(monitoring.app, 'ml', 'POST', '/v1/monitoring/models/churn/policies', {
      metric: 'roc_auc', comparator: '<', threshold: 0.8, window: '1h', minLabelled: 100, severity: 'critical',
    });
    expect(created.statusCode).toBe(201);
    policyId = created.json().id;
    expect(created.json()).toMatchObject({ retrain: true, cooldown: 'P1D' });
    // Without labels the policy is not judged.
    expect((await monitoring.evaluation.evaluate()).find((r) => r.policyId === policyId)).toMatchObject({ outcome: 'skipped', reason: 'too-few-labels' });

    expect(await label(0)).toBeGreaterThanOrEqual(0.8);
    expect((await monitoring.evaluation.evaluate()).find((r) => r.policyId === policyId)).toMatchObject({ outcome: 'ok', labelled: scored.length, modelVersion: '1' });
    expect(await breaches()).toEqual([]);
  });

  test('as label noise grows the AUC falls, the policy breaches, the alert is listed and training queues a retraining job', async () => {
    const auc = await label(0.2);
    expect(auc).toBeLessThan(0.8);
    // The evaluator notices on its own.
    const [breach] = await waitFor(breaches, (b) => b.length > 0, 30_000);
    expect(breach).toMatchObject({
      policyId, model: { name: 'churn', version: '1' }, metric: 'roc_auc', comparator: '<', threshold: 0.8, window: '1h', labelled: scored.length,
      severity: 'critical', trainingJobId: expect.any(String),
    });
    expect(breach.value).toBeCloseTo(auc, 10);

    // monitoring's outbox → vigil.alert.raised.v1 → monitoring's alert consumer → GET /v1/alerts.
    const listed = await waitFor(
      async () => (await call(monitoring.app, 'sre', 'GET', '/v1/alerts?kind=policy_breach&model=churn')).json().alerts as Json[],
      (a) => a.some((x) => x.alertId === breach.alertId),
    );
    const alert = listed.find((a) => a.alertId === breach.alertId)!;
    expect(alert).toMatchObject({ kind: 'policy_breach', severity: 'critical', model: { name: 'churn', version: '1' }, deliveryStatus: 'disabled' });
    expect(alert.message).toContain(`roc_auc = ${Number(breach.value.toPrecision(4))} is below the policy threshold < 0.8 over the last 1h, on 400 labelled predictions`);
    expect(alert.message).toContain(breach.trainingJobId);

    // monitoring's outbox → vigil.training.requested.v1 → training's consumer → a job on the latest dataset.
    const queued = await waitFor(() => job(breach.trainingJobId), (res) => res.statusCode === 200, 30_000);
    expect(queued.json()).toMatchObject({ pipeline: 'churn', datasetId, requestedBy: 'monitoring' });
    const retrained = await jobDone(breach.trainingJobId);
    expect(retrained).toMatchObject({ status: 'succeeded', models: [{ name: 'churn', version: 2 }] });
  }, 150_000);

  test('auto-promotion being off, version 2 awaits approval and version 1 stays live', async () => {
    const versions = (await call(stack.training, 'ml', 'GET', '/v1/models/churn/versions')).json();
    expect(versions.liveVersion).toBe(1);
    expect(versions.versions.find((v: Json) => v.version === 2)).toMatchObject({ status: 'awaiting-approval', trainedFor: 'policy_breach:roc_auc' });
    expect(stack.live.get('churn')?.ref.version).toBe(1);
  });

  test('more noise lowers the AUC further, but within the cooldown the policy raises nothing new', async () => {
    await label(0.4);
    expect(aucs[2]).toBeLessThan(aucs[1]);
    expect(aucs[1]).toBeLessThan(aucs[0]);
    expect((await monitoring.evaluation.evaluate()).find((r) => r.policyId === policyId)).toMatchObject({ outcome: 'skipped', reason: 'cooldown' });
    expect(await breaches()).toHaveLength(1);
    const policy = (await call(monitoring.app, 'sre', 'GET', `/v1/monitoring/policies/${policyId}`)).json();
    expect(policy.lastBreachAt).toBe((await breaches())[0].breachedAt);
  });
});

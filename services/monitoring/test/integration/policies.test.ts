import { randomUUID } from 'node:crypto';
import { AlertSeverity, createPool, decodeEvent, TOPICS, type Pool } from '@vigil/common';
import { createPolicyStore } from '../../src/adapters/postgres/policy-store';
import { planBreach } from '../../src/domain/evaluate-policies';
import { createTestDatabase, type TestDatabase } from '../../../../tests/support/database';
import { testBus } from '../../../../tests/support/kafka';
import { pneumonia, predictionMessage, type PredictionSpec } from '../support/events';
import { startMonitoring } from '../support/monitoring-app';
import { startPolicyReplica } from '../support/policy-app';

const MODEL = 'xray-pneumonia';
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('quality policies: edited over HTTP, evaluated against measured quality, breaches recorded once with their events', () => {
  let db: TestDatabase;
  let otherPool: Pool;
  let monitoring: Awaited<ReturnType<typeof startMonitoring>>;
  let replica: Awaited<ReturnType<typeof startPolicyReplica>>;
  let other: Awaited<ReturnType<typeof startPolicyReplica>>;
  const bus = testBus();
  const producer = bus.producer();
  const admin = bus.admin();
  const keys: Record<string, string> = {};

  beforeAll(async () => {
    db = await createTestDatabase();
    monitoring = await startMonitoring({ pool: db.pool, bus, admin, producer });
    replica = await startPolicyReplica({ pool: db.pool, admin });
    // A second replica with its own connections, as another process would have.
    otherPool = createPool({ connectionString: db.url, applicationName: 'monitoring-replica-2' });
    other = await startPolicyReplica({ pool: otherPool, admin });
    keys.admin = await monitoring.key(['models:admin']);
    keys.reader = await monitoring.key(['monitoring:read']);
    keys.labeller = await monitoring.key(['feedback:write']);

    // Version 1 answered ten minutes ago; version 2 serves now and always answers "normal":
    // 3 of its 12 patients have pneumonia, so its recall is 0 and its AUC 0.5.
    const tenMinutesAgo = new Date(Date.now() - 600_000);
    const specs: [PredictionSpec, string][] = [
      ...Array.from({ length: 6 }, (_, i): [PredictionSpec, string] => [pneumonia('1', i < 3 ? 0.9 : 0.1, { at: tenMinutesAgo }), i < 3 ? 'pneumonia' : 'normal']),
      ...Array.from({ length: 12 }, (_, i): [PredictionSpec, string] => [pneumonia('2', 0.05), i < 3 ? 'pneumonia' : 'normal']),
    ];
    const made = specs.map(([spec, label]) => ({ ...predictionMessage(monitoring.predictionTopic, spec), label }));
    await producer.send(made.map((m) => m.message));
    await monitoring.stored(made.map((m) => m.predictionId));
    const labelled = await monitoring.app.inject({
      method: 'POST', url: '/v1/feedback', headers: { authorization: `Bearer ${keys.labeller}` },
      payload: { items: made.map((m) => ({ predictionId: m.predictionId, label: m.label })) },
    });
    expect(labelled.json()).toMatchObject({ accepted: 18, unknown: [], rejected: [] });
  });
  afterAll(async () => {
    await other?.close();
    await otherPool?.end();
    await replica?.close();
    await monitoring?.close();
    await producer.close();
    await admin.close();
    await db.drop();
  });

  const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object, key: string | null = keys.admin) =>
    replica.app.inject({ method, url, payload, headers: key === null ? {} : { authorization: `Bearer ${key}` } });
  const create = async (body: object, model = MODEL): Promise<Json> => {
    const res = await call('POST', `/v1/monitoring/models/${model}/policies`, body);
    expect(res.statusCode).toBe(201);
    return res.json();
  };
  const breaches = async (query = ''): Promise<Json[]> => (await call('GET', `/v1/monitoring/models/${MODEL}/breaches${query}`, undefined, keys.reader)).json().breaches;
  const outbox = async (topic: string) =>
    (await db.pool.query('SELECT payload FROM monitoring.outbox WHERE topic = $1 ORDER BY seq', [topic])).rows.map((r) => decodeEvent(topic as never, r.payload) as Json);

  test('a policy is created with its defaults, listed, read, replaced and its changes counted', async () => {
    const res = await call('POST', '/v1/monitoring/models/churn/policies', { metric: 'roc_auc', comparator: '<', threshold: 0.8, window: '1d', cooldown: 'PT6H' });
    expect(res.statusCode).toBe(201);
    const created = res.json();
    expect(res.headers.location).toBe(`/v1/monitoring/policies/${created.id}`);
    expect(created).toMatchObject({
      model: 'churn', metric: 'roc_auc', feature: null, comparator: '<', threshold: 0.8, window: '1d', minLabelled: 100, cooldown: 'PT6H', cooldownSeconds: 21_600,
      severity: 'warning', enabled: true, retrain: true, revision: 1, createdBy: expect.stringMatching(/^client\./), lastBreachAt: null,
    });
    const listed = (await call('GET', '/v1/monitoring/models/churn/policies', undefined, keys.reader)).json();
    expect(listed).toEqual({ model: 'churn', policies: [created] });

    const replaced = await call('PUT', `/v1/monitoring/policies/${created.id}`, { metric: 'recall', comparator: '<', threshold: 0.6, minLabelled: 50, cooldown: 7200, enabled: false });
    expect(replaced.statusCode).toBe(200);
    // PUT replaces: the window goes back to its default (the longest), the cooldown is shown as a duration.
    expect(replaced.json()).toMatchObject({ id: created.id, metric: 'recall', window: '7d', minLabelled: 50, cooldown: 'PT2H', enabled: false, revision: 2 });
    expect((await call('GET', `/v1/monitoring/policies/${created.id}`, undefined, keys.reader)).json()).toEqual(replaced.json());
    expect((await call('PUT', `/v1/monitoring/policies/${randomUUID()}`, { metric: 'f1', comparator: '<', threshold: 0.5 })).statusCode).toBe(404);
  });

  test('a malformed policy is 400, one that breaks a rule 422 naming every problem, and writing needs models:admin', async () => {
    const bad = [
      { metric: 'accuracy', comparator: '<', threshold: 0.5 },
      { metric: 'recall', comparator: '<=', threshold: 0.5 },
      { metric: 'recall', comparator: '<', threshold: 'low' },
      { metric: 'recall', comparator: '<', threshold: 0.5, cooldown: '6h' },
      { metric: 'recall', comparator: '<', threshold: 0.5, minLabelled: 0 },
      { metric: 'recall', comparator: '<', threshold: 0.5, extra: true },
      { comparator: '<', threshold: 0.5 },
    ];
    for (const body of bad) {
      const res = await call('POST', `/v1/monitoring/models/${MODEL}/policies`, body);
      expect([res.statusCode, res.headers['content-type']]).toEqual([400, expect.stringMatching(/^application\/problem\+json/)]);
      expect(res.json().code).toBe('VIGIL_VALIDATION');
    }
    expect((await call('POST', '/v1/monitoring/models/Not A Model/policies', { metric: 'recall', comparator: '<', threshold: 0.5 })).statusCode).toBe(400);

    const unprocessable = await call('POST', '/v1/monitoring/models/fraud/policies', { metric: 'recall', comparator: '<', threshold: 1.5, window: '2h', retrain: true });
    expect(unprocessable.statusCode).toBe(422);
    expect(unprocessable.json()).toMatchObject({
      code: 'VIGIL_UNPROCESSABLE',
      errors: [
        'threshold: recall lies between 0 and 1',
        'window: 2h is not measured here (MONITORING_WINDOWS: 1h, 1d, 7d)',
        'retrain: no training pipeline produces model fraud; set retrain to false',
      ],
    });
    // PSI is accepted, about the score unless a feature is named.
    expect(await create({ metric: 'psi', comparator: '>', threshold: 0.25, retrain: false }, 'fraud')).toMatchObject({ metric: 'psi', feature: 'score', retrain: false });

    const body = { metric: 'recall', comparator: '<', threshold: 0.5 };
    expect((await call('POST', `/v1/monitoring/models/${MODEL}/policies`, body, keys.reader)).json()).toMatchObject({ status: 403, requiredScopes: ['models:admin'] });
    expect((await call('POST', `/v1/monitoring/models/${MODEL}/policies`, body, null)).statusCode).toBe(401);
    expect((await call('GET', `/v1/monitoring/models/${MODEL}/policies`, undefined, keys.labeller)).statusCode).toBe(403);
  });

  test('the serving version is judged: a model that always answers "normal" breaches recall and AUC policies, once, with an alert and a retraining request', async () => {
    const recall = await create({ metric: 'recall', comparator: '<', threshold: 0.5, window: '1h', minLabelled: 10, severity: 'critical', cooldown: 'PT1H' });
    const auc = await create({ metric: 'roc_auc', comparator: '<', threshold: 0.8, window: '1h', minLabelled: 10, retrain: false });
    const fewLabels = await create({ metric: 'recall', comparator: '<', threshold: 0.5, window: '1h', minLabelled: 1000 });
    const precision = await create({ metric: 'precision', comparator: '<', threshold: 0.5, window: '1h', minLabelled: 10 });
    const psi = await create({ metric: 'psi', comparator: '>', threshold: 0.1, window: '1h' });
    const disabled = await create({ metric: 'recall', comparator: '<', threshold: 0.5, window: '1h', minLabelled: 10, enabled: false });

    const results = await replica.evaluation.evaluate();
    const outcome = (id: string) => {
      const r = results.find((x) => x.policyId === id);
      return r && [r.outcome, r.outcome === 'skipped' ? r.reason : r.value, r.modelVersion];
    };
    expect(outcome(recall.id)).toEqual(['breach', 0, '2']);
    expect(outcome(auc.id)).toEqual(['breach', 0.5, '2']);
    expect(outcome(fewLabels.id)).toEqual(['skipped', 'too-few-labels', '2']);
    expect(outcome(precision.id)).toEqual(['skipped', 'metric-undefined', '2']);
    expect(outcome(psi.id)).toEqual(['skipped', 'metric-undefined', '2']);
    expect(outcome(disabled.id)).toBeUndefined();

    const [aucBreach, recallBreach] = await breaches();
    expect(recallBreach).toMatchObject({
      policyId: recall.id, model: { name: MODEL, version: '2' }, metric: 'recall', comparator: '<', value: 0, threshold: 0.5, window: '1h', labelled: 12,
      severity: 'critical', alertId: expect.any(String), trainingJobId: expect.any(String),
    });
    expect(aucBreach).toMatchObject({ policyId: auc.id, metric: 'roc_auc', value: 0.5, severity: 'warning', trainingJobId: null });

    // Committed with the breach rows, in monitoring's outbox.
    const alerts = await outbox(TOPICS.alertRaised);
    expect(alerts.map((a) => a.alertId).sort()).toEqual([recallBreach.alertId, aucBreach.alertId].sort());
    expect(alerts.find((a) => a.alertId === recallBreach.alertId)).toMatchObject({
      kind: 'policy_breach', severity: AlertSeverity.CRITICAL, modelName: MODEL, modelVersion: '2',
      message: `${MODEL} version 2: recall = 0 is below the policy threshold < 0.5 over the last 1h, on 12 labelled predictions; retraining requested (training job ${recallBreach.trainingJobId})`,
    });
    expect(await outbox(TOPICS.trainingRequested)).toEqual([
      expect.objectContaining({ jobId: recallBreach.trainingJobId, pipeline: 'xray', datasetId: '', reason: 'policy_breach:recall', requestedBy: 'monitoring' }),
    ]);
    expect((await call('GET', `/v1/monitoring/policies/${recall.id}`, undefined, keys.reader)).json().lastBreachAt).toBe(recallBreach.breachedAt);

    // Still breached, but within the cooldown: nothing new.
    const again = await replica.evaluation.evaluate();
    expect(again.find((r) => r.policyId === recall.id)).toMatchObject({ outcome: 'skipped', reason: 'cooldown', value: 0 });
    expect(await breaches()).toHaveLength(2);
    expect(await outbox(TOPICS.alertRaised)).toHaveLength(2);
    expect((await breaches(`?policyId=${recall.id}`)).map((b) => b.id)).toEqual([recallBreach.id]);

    for (const id of [recall.id, auc.id, fewLabels.id, precision.id, psi.id]) expect((await call('DELETE', `/v1/monitoring/policies/${id}`)).statusCode).toBe(204);
  });

  test('replicas evaluating at the same moment record one breach per cooldown', async () => {
    const f1 = await create({ metric: 'f1', comparator: '<', threshold: 0.5, window: '1h', minLabelled: 10 });
    const passes = await Promise.all([replica, other, replica, other, other, replica].map((r) => r.evaluation.evaluate()));
    const mine = passes.map((results) => results.find((r) => r.policyId === f1.id)!);
    expect(mine.filter((r) => r.outcome === 'breach')).toHaveLength(1);
    expect(mine.every((r) => r.outcome === 'breach' || (r.outcome === 'skipped' && ['cooldown', 'superseded'].includes(r.reason)))).toBe(true);
    const recorded = await breaches(`?policyId=${f1.id}`);
    expect(recorded).toHaveLength(1);
    const jobs = (await outbox(TOPICS.trainingRequested)).filter((e) => e.jobId === recorded[0].trainingJobId);
    expect(jobs).toHaveLength(1);
  });

  test('a breach seen on terms the policy no longer has is not recorded; a deleted policy’s breaches stay listed', async () => {
    const policy = await create({ metric: 'specificity', comparator: '>', threshold: 0.5, window: '1h', minLabelled: 10, retrain: false });
    const asRead = (await createPolicyStore(db.pool).get(policy.id))!;
    expect((await call('PUT', `/v1/monitoring/policies/${policy.id}`, { metric: 'specificity', comparator: '>', threshold: 0.99, window: '1h', retrain: false })).json().revision).toBe(2);
    expect(await replica.breaches.record(planBreach(asRead, { value: 1, labelled: 12, modelVersion: '2' }, randomUUID))).toBeNull();
    expect(await breaches(`?policyId=${policy.id}`)).toEqual([]);

    const current = (await createPolicyStore(db.pool).get(policy.id))!;
    const recorded = await replica.breaches.record(planBreach(current, { value: 1, labelled: 12, modelVersion: '2' }, randomUUID));
    expect(recorded).toMatchObject({ policyId: policy.id, threshold: 0.99 });
    expect((await call('DELETE', `/v1/monitoring/policies/${policy.id}`)).statusCode).toBe(204);
    expect((await call('DELETE', `/v1/monitoring/policies/${policy.id}`)).json()).toMatchObject({ status: 404, code: 'VIGIL_NOT_FOUND' });
    expect((await call('GET', `/v1/monitoring/policies/${policy.id}`, undefined, keys.reader)).statusCode).toBe(404);
    const kept = (await breaches()).find((b) => b.id === recorded!.id);
    expect(kept).toMatchObject({ policyId: null, metric: 'specificity', threshold: 0.99, value: 1 });
  });
});

import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AlertSeverity, allTopicSpecs, createApiKeyStore, createInboxConsumer, createMetricsRegistry, encodeEvent, newMeta, pingPostgres, TOPICS,
  type OutgoingMessage, type VigilApp,
} from '@vigil/common';
import { ALERT_ID_HEADER, createAlertWebhook, SIGNATURE_HEADER } from '../../src/adapters/http/alert-webhook';
import { createAlertMetrics } from '../../src/adapters/metrics/alert-metrics';
import { createAlertDeliveryQueue } from '../../src/adapters/postgres/alert-delivery-queue';
import { createAlertStore } from '../../src/adapters/postgres/alert-store';
import { createFeedbackWriter } from '../../src/adapters/postgres/feedback-writer';
import { createQualityReader } from '../../src/adapters/postgres/quality-reader';
import { createTaskConfigs } from '../../src/adapters/postgres/task-configs';
import { buildApp } from '../../src/app';
import { createAlertRaisedHandler } from '../../src/consumers/alert-raised';
import { createAlertDelivery } from '../../src/jobs/alert-delivery';
import { createTestDatabase, type TestDatabase } from '../../../../tests/support/database';
import { silentLogger, testBus, uniqueName, waitFor } from '../../../../tests/support/kafka';

const SECRET = 'test-webhook-secret-0123456789';
const MAX_ATTEMPTS = 4;

/** An AlertRaised event as inference's outbox relay would publish it. */
function alertEvent(modelName: string, over: { kind?: string; severity?: AlertSeverity } = {}) {
  const meta = newMeta('inference');
  const alertId = randomUUID();
  const predictionId = randomUUID();
  const value = encodeEvent(TOPICS.alertRaised, {
    meta, alertId, kind: over.kind ?? 'low_confidence', severity: over.severity ?? AlertSeverity.WARNING,
    modelName, modelVersion: '3', message: 'pneumonia probability 0.52 is inside the threshold band', predictionId,
  });
  const message: OutgoingMessage = {
    topic: TOPICS.alertRaised, key: modelName, value: Buffer.from(value), headers: { 'vigil-event-id': meta.eventId, 'vigil-producer': 'inference' },
  };
  return { alertId, predictionId, eventId: meta.eventId, message };
}

interface Received {
  alertId: string;
  signature: string | undefined;
  body: string;
}

/** A webhook receiver whose answer depends on the alert: `plan[alertId]` lists status codes, then 200. */
async function startReceiver(plan: Record<string, number[]>) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const alertId = String(req.headers[ALERT_ID_HEADER]);
      received.push({ alertId, signature: req.headers[SIGNATURE_HEADER] as string | undefined, body });
      const status = plan[alertId]?.shift() ?? 200;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'receiver down');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/vigil`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('alerts: AlertRaised events stored once, listed over HTTP, delivered to a webhook', () => {
  let db: TestDatabase;
  let app: VigilApp;
  const bus = testBus();
  const producer = bus.producer();
  const admin = bus.admin();
  const registry = createMetricsRegistry('monitoring');
  const observer = createAlertMetrics(registry);
  const keys: Record<string, string> = {};

  beforeAll(async () => {
    db = await createTestDatabase();
    await admin.ensureTopics(allTopicSpecs());
    app = await buildApp({
      logger: silentLogger, metrics: registry, apiKeys: createApiKeyStore(db.pool),
      readiness: { postgres: () => pingPostgres(db.pool), kafka: () => admin.ping() },
      alerts: createAlertStore(db.pool),
      feedback: { tasks: createTaskConfigs(db.pool), writer: createFeedbackWriter(db.pool), now: () => new Date(), churnWindowMs: 86_400_000 },
      performance: { tasks: createTaskConfigs(db.pool), reader: createQualityReader(db.pool), defaultWindow: { name: '7d', ms: 7 * 86_400_000 } },
    });
    const apiKeys = createApiKeyStore(db.pool);
    keys.reader = (await apiKeys.create('sre-dashboard', ['alerts:read'])).key;
    keys.auditor = (await apiKeys.create('auditor', ['audit:read'])).key;
  });
  afterAll(async () => {
    await app.close();
    await producer.close();
    await admin.close();
    await db.drop();
  });

  const get = (url: string, key: string | null = keys.reader) =>
    app.inject({ method: 'GET', url, headers: key === null ? {} : { authorization: `Bearer ${key}` } });
  const alertsOf = async (model: string) => (await get(`/v1/alerts?model=${encodeURIComponent(model)}`)).json().alerts as Record<string, unknown>[];
  // The consumer group is new, so it also reads what earlier runs left on the real topic: every
  // assertion is about this test's own model name.
  const startConsumer = async (webhookEnabled: boolean) => {
    const name = uniqueName('test.monitoring.alert-raised');
    const consumer = createInboxConsumer({
      pool: db.pool, schema: 'monitoring', name, consumer: bus.consumer({ groupId: name }), producer, logger: silentLogger,
    });
    await consumer.start([TOPICS.alertRaised], createAlertRaisedHandler({ webhookEnabled, observer }));
    return consumer;
  };

  test('an alert published twice on the real topic is stored and listed once', async () => {
    const model = uniqueName('churn');
    const kind = uniqueName('low_confidence');
    const first = alertEvent(model, { kind });
    // Same key, so same partition: once the later alert is listed, both copies were consumed.
    const later = alertEvent(model, { kind, severity: AlertSeverity.CRITICAL });
    await producer.send([first.message]);
    await producer.send([first.message, later.message]);

    const consumer = await startConsumer(false);
    try {
      const listed = await waitFor(() => alertsOf(model), (a) => a.some((x) => x.alertId === later.alertId));
      expect(listed.map((a) => a.alertId)).toEqual([later.alertId, first.alertId]); // newest first
      expect(listed[1]).toMatchObject({
        kind, severity: 'warning', model: { name: model, version: '3' }, predictionId: first.predictionId, eventId: first.eventId,
        deliveryStatus: 'disabled', attempts: 0, lastError: null, deliveredAt: null,
      });
      const one = await get(`/v1/alerts/${first.alertId}`);
      expect(one.statusCode).toBe(200);
      expect(one.json()).toEqual(listed[1]);

      const rows = await db.pool.query('SELECT count(*)::int AS n FROM monitoring.alerts WHERE id = $1', [first.alertId]);
      expect(rows.rows[0].n).toBe(1);
      const counted = (await registry.getSingleMetric('vigil_alerts_received_total')!.get()).values.filter((v) => v.labels.kind === kind);
      expect(counted.map((v) => [v.labels.severity, v.value]).sort()).toEqual([['critical', 1], ['warning', 1]]);
      expect((await get('/v1/alerts?status=disabled&kind=' + kind + '&limit=1')).json().alerts.map((a: { alertId: string }) => a.alertId)).toEqual([later.alertId]);
    } finally {
      await consumer.close();
    }
  });

  test('the webhook worker retries a failing receiver with backoff until it answers 2xx, and gives up on one that never does', async () => {
    const model = uniqueName('xray');
    const flaky = alertEvent(model);
    const broken = alertEvent(model, { kind: 'drift', severity: AlertSeverity.CRITICAL });
    const receiver = await startReceiver({ [flaky.alertId]: [500, 500], [broken.alertId]: Array(MAX_ATTEMPTS + 5).fill(503) });
    const consumer = await startConsumer(true);
    const worker = createAlertDelivery({
      queue: createAlertDeliveryQueue(db.pool),
      webhook: createAlertWebhook({ url: receiver.url, timeoutMs: 2000, secret: SECRET }),
      policy: { maxAttempts: MAX_ATTEMPTS, backoffBaseMs: 20, backoffMaxMs: 200 },
      random: Math.random, observer, logger: silentLogger, pollMs: 20, leaseMs: 10_000,
    });
    worker.start();
    try {
      await producer.send([flaky.message, broken.message]);
      const settled = await waitFor(
        () => alertsOf(model),
        (a) => a.length === 2 && a.every((x) => x.deliveryStatus === 'delivered' || x.deliveryStatus === 'failed'),
      );
      const byId = Object.fromEntries(settled.map((a) => [a.alertId, a]));

      expect(byId[flaky.alertId]).toMatchObject({ deliveryStatus: 'delivered', attempts: 3, lastError: null, nextAttemptAt: null });
      expect(byId[flaky.alertId].deliveredAt).toEqual(expect.any(String));
      const flakyCalls = receiver.received.filter((r) => r.alertId === flaky.alertId);
      expect(flakyCalls).toHaveLength(3);
      for (const call of flakyCalls) {
        expect(JSON.parse(call.body)).toEqual({
          alertId: flaky.alertId, kind: 'low_confidence', severity: 'warning', model: { name: model, version: '3' },
          predictionId: flaky.predictionId, message: 'pneumonia probability 0.52 is inside the threshold band', raisedAt: byId[flaky.alertId].raisedAt,
        });
        expect(call.signature).toBe(`sha256=${createHmac('sha256', SECRET).update(call.body).digest('hex')}`);
      }

      expect(byId[broken.alertId]).toMatchObject({ deliveryStatus: 'failed', attempts: MAX_ATTEMPTS, lastError: 'HTTP 503: receiver down' });
      expect(receiver.received.filter((r) => r.alertId === broken.alertId)).toHaveLength(MAX_ATTEMPTS);

      const deliveries = await registry.getSingleMetric('vigil_alert_deliveries_total')!.get();
      const count = (outcome: string) => deliveries.values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
      // Alerts left on the topic by earlier runs are delivered too (the receiver answers them 200),
      // so only retries and failures are this test's alone.
      expect(count('retry')).toBe(2 + (MAX_ATTEMPTS - 1));
      expect(count('failed')).toBe(1);
      expect(count('delivered')).toBeGreaterThanOrEqual(1);
      const failed = (await get(`/v1/alerts?status=failed&model=${encodeURIComponent(model)}`)).json().alerts;
      expect(failed.map((a: { alertId: string }) => a.alertId)).toEqual([broken.alertId]);
    } finally {
      await worker.close();
      await consumer.close();
      await receiver.close();
    }
  });

  test('an unknown alert id gets 404 problem+json', async () => {
    const res = await get(`/v1/alerts/${randomUUID()}`);
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ status: 404, code: 'VIGIL_NOT_FOUND' });
  });

  test('listing needs an API key with the alerts:read scope', async () => {
    const anonymous = await get('/v1/alerts', null);
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(anonymous.json().code).toBe('VIGIL_UNAUTHENTICATED');
    const auditor = await get('/v1/alerts', keys.auditor);
    expect(auditor.statusCode).toBe(403);
    expect(auditor.json()).toMatchObject({ code: 'VIGIL_FORBIDDEN', requiredScopes: ['alerts:read'] });
  });

  test('a bad filter gets 400 instead of a silently different list', async () => {
    for (const query of ['limit=0', 'limit=1001', 'status=sent', 'since=yesterday', 'models=churn']) {
      const res = await get(`/v1/alerts?${query}`);
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe('VIGIL_VALIDATION');
    }
  });
});

import { randomUUID } from 'node:crypto';
import { createInboxConsumer, createOutboxRelay, decodeEvent, TOPICS } from '@vigil/common';
import { createFeedbackReceivedHandler } from '../../src/consumers/feedback-received';
import { createTestDatabase, type TestDatabase } from '../../../../tests/support/database';
import { silentLogger, testBus, uniqueName, waitFor } from '../../../../tests/support/kafka';
import { churn, feedbackEvent, pneumonia, predictionMessage, type PredictionSpec } from '../support/events';
import { DAY_MS, startMonitoring } from '../support/monitoring-app';

describe('POST /v1/feedback in monitoring: labels for predictions and churn outcomes for customers', () => {
  let db: TestDatabase;
  let monitoring: Awaited<ReturnType<typeof startMonitoring>>;
  let writerKey: string;
  const bus = testBus();
  const producer = bus.producer();
  const admin = bus.admin();

  beforeAll(async () => {
    db = await createTestDatabase();
    monitoring = await startMonitoring({ pool: db.pool, bus, admin, producer });
    writerKey = await monitoring.key(['feedback:write']);
  });
  afterAll(async () => {
    await monitoring.close();
    await producer.close();
    await admin.close();
    await db.drop();
  });

  /** Publishes predictions as inference does and waits for the real consumer to store them. */
  const predict = async (...specs: PredictionSpec[]) => {
    const made = specs.map((s) => predictionMessage(monitoring.predictionTopic, s));
    await producer.send(made.map((m) => m.message));
    await monitoring.stored(made.map((m) => m.predictionId));
    return made.map((m) => m.predictionId);
  };
  const post = (body: unknown, key = writerKey) =>
    monitoring.app.inject({ method: 'POST', url: '/v1/feedback', headers: { authorization: `Bearer ${key}` }, payload: body as object });
  const current = async (predictionId: string) =>
    (await db.pool.query('SELECT label, positive, source, client_name, event_id FROM monitoring.ground_truth WHERE prediction_id = $1', [predictionId])).rows;
  const history = async (predictionId: string) =>
    (await db.pool.query('SELECT label, positive, event_id FROM monitoring.ground_truth_history WHERE prediction_id = $1 ORDER BY id', [predictionId])).rows;

  test('a label for a known prediction is stored with its meaning and announced by a FeedbackReceived in the same transaction', async () => {
    const [id] = await predict(pneumonia('1', 0.2));
    const res = await post({ predictionId: id, label: 'bacterial', source: 'blood-test' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ accepted: 1, labelled: 1, unknown: [], rejected: [] });

    const [row] = await current(id);
    expect(row).toMatchObject({ label: 'bacterial', positive: true, source: 'blood-test' });
    const outbox = await db.pool.query('SELECT topic, msg_key, payload FROM monitoring.outbox WHERE event_id = $1', [row.event_id]);
    expect(outbox.rows).toHaveLength(1);
    expect(outbox.rows[0]).toMatchObject({ topic: TOPICS.feedbackReceived, msg_key: id });
    expect(decodeEvent(TOPICS.feedbackReceived, outbox.rows[0].payload)).toMatchObject({
      predictionId: id, label: 'bacterial', source: 'blood-test', clientName: row.client_name, meta: { producer: 'monitoring' },
    });
  });

  test('one request labels by prediction id and by customer, and reports what it does not know instead of dropping it', async () => {
    const now = Date.now();
    const [xray] = await predict(pneumonia('1', 0.9));
    const customer = uniqueName('C');
    const [tooOld, olderV1, latestV1, latestV2, afterOutcome] = await predict(
      churn('1', customer, 0.8, new Date(now - 100 * DAY_MS)), // outside the 90 days before the outcome
      churn('1', customer, 0.7, new Date(now - 20 * DAY_MS)),
      churn('1', customer, 0.6, new Date(now - 5 * DAY_MS)), // latest of version 1 before the outcome
      churn('2', customer, 0.4, new Date(now - 3 * DAY_MS)), // latest of version 2
      churn('2', customer, 0.3, new Date(now - 1 * DAY_MS)), // made after the outcome was known
    );
    const observedAt = new Date(now - 2 * DAY_MS).toISOString();
    const unknownId = randomUUID();
    const res = await post({
      items: [
        { predictionId: xray, label: 'normal', source: 'radiologist' },
        { customerID: customer, churned: true, observedAt, source: 'crm' },
        { predictionId: unknownId, label: true },
        { customerID: 'nobody-ever-scored', churned: false },
      ],
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      accepted: 2, labelled: 3,
      unknown: [{ index: 2, predictionId: unknownId }, { index: 3, customerID: 'nobody-ever-scored' }],
      rejected: [],
    });
    expect(await current(xray)).toEqual([expect.objectContaining({ label: 'normal', positive: false, source: 'radiologist' })]);
    for (const id of [latestV1, latestV2]) expect(await current(id)).toEqual([expect.objectContaining({ label: 'churned', positive: true, source: 'crm' })]);
    for (const id of [tooOld, olderV1, afterOutcome]) expect(await current(id)).toEqual([]);
    // One event for the customer, under which both of its predictions were labelled.
    const [v1, v2] = [(await current(latestV1))[0], (await current(latestV2))[0]];
    expect(v1.event_id).toBe(v2.event_id);
  });

  test('a body where nothing is known is still answered 200, with everything listed', async () => {
    const ids = [randomUUID(), randomUUID()];
    const res = await post({ items: ids.map((predictionId) => ({ predictionId, label: false })) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ accepted: 0, labelled: 0, unknown: ids.map((predictionId, index) => ({ index, predictionId })), rejected: [] });
  });

  test('a label that means nothing to the prediction’s model is rejected with the reason', async () => {
    const [type] = await predict({ modelName: 'xray-type', modelVersion: '1', score: 0.9, output: { label: 'bacterial', probability: 0.9, confidence: 'high' } });
    const res = await post({ predictionId: type, label: 'normal' });
    expect(res.json()).toEqual({ accepted: 0, labelled: 0, unknown: [], rejected: [{ index: 0, predictionId: type, reason: expect.stringMatching(/xray-type/) }] });
    expect(await current(type)).toEqual([]);
  });

  test('a second label replaces the first, and the history keeps both in order', async () => {
    const [id] = await predict(pneumonia('1', 0.7));
    await post({ predictionId: id, label: 'normal', source: 'radiologist' });
    await post({ predictionId: id, label: 'viral', source: 'blood-test' });
    expect(await current(id)).toEqual([expect.objectContaining({ label: 'viral', positive: true, source: 'blood-test' })]);
    expect((await history(id)).map((h) => [h.label, h.positive])).toEqual([['normal', false], ['viral', true]]);
  });

  test('10,000 items are taken; 10,001 are refused with 400', async () => {
    const items = Array.from({ length: 10_000 }, () => ({ predictionId: randomUUID(), label: true }));
    const taken = await post({ items });
    expect(taken.statusCode).toBe(200);
    expect(taken.json().unknown).toHaveLength(10_000);

    const refused = await post({ items: [...items, { predictionId: randomUUID(), label: true }] });
    expect(refused.statusCode).toBe(400);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.json().code).toBe('VIGIL_VALIDATION');
  });

  test('a malformed item or a key without feedback:write is refused', async () => {
    expect((await post({ predictionId: randomUUID(), label: '' })).statusCode).toBe(400);
    expect((await post({ predictionId: randomUUID(), label: { class: 'a' } })).statusCode).toBe(400);
    expect((await post({ customerID: 'C-1', churned: 'often' })).statusCode).toBe(400);
    expect((await post({ predictionId: randomUUID(), label: true, extra: 1 })).statusCode).toBe(400);
    const reader = await monitoring.key(['monitoring:read']);
    const res = await post({ predictionId: randomUUID(), label: true }, reader);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'VIGIL_FORBIDDEN', requiredScopes: ['feedback:write'] });
  });

  test('labels arriving as events land in ground_truth too, and monitoring’s own events are recognised by event id and not applied twice', async () => {
    const [posted, fromIngestion] = await predict(pneumonia('1', 0.9), pneumonia('1', 0.1));
    const customer = uniqueName('C');
    const [scored] = await predict(churn('1', customer, 0.2, new Date(Date.now() - DAY_MS)));
    await post({ predictionId: posted, label: 'pneumonia' });
    const ownEventId = (await current(posted))[0].event_id;
    const byId = feedbackEvent({ predictionId: fromIngestion, label: 'NORMAL' });
    const byCustomer = feedbackEvent({ entityId: customer, label: 'Yes' });
    await producer.send([byId.message, byCustomer.message]);

    // The relay publishes monitoring's own event; the consumer reads the real topic.
    const relay = createOutboxRelay({ pool: db.pool, schema: 'monitoring', producer, logger: silentLogger, pollMs: 100 });
    const group = uniqueName('test.monitoring.feedback-received');
    const consumer = createInboxConsumer({ pool: db.pool, schema: 'monitoring', name: group, consumer: bus.consumer({ groupId: group }), producer, logger: silentLogger });
    relay.start();
    await consumer.start([TOPICS.feedbackReceived], createFeedbackReceivedHandler({ entityWindowMs: 90 * DAY_MS }));
    try {
      const processed = (eventId: string) => async () => (await db.pool.query('SELECT 1 FROM monitoring.inbox WHERE consumer = $1 AND event_id = $2', [group, eventId])).rowCount;
      for (const eventId of [ownEventId, byId.eventId, byCustomer.eventId]) await waitFor(processed(eventId), (n) => n === 1, 60_000);

      expect(await history(posted)).toHaveLength(1);
      expect(await current(fromIngestion)).toEqual([expect.objectContaining({ label: 'NORMAL', positive: false, event_id: byId.eventId })]);
      expect(await current(scored)).toEqual([expect.objectContaining({ label: 'Yes', positive: true, event_id: byCustomer.eventId })]);
    } finally {
      await consumer.close();
      await relay.stop();
    }
  });
});

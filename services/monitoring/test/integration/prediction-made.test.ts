import { randomUUID } from 'node:crypto';
import { decodeEvent, TOPICS, withTransaction } from '@vigil/common';
import { createPredictionStore as createInferencePredictionStore } from '../../../inference/src/adapters/postgres/prediction-store';
import { createGroundTruthStore } from '../../src/adapters/postgres/ground-truth-store';
import { createTestDatabase, type TestDatabase } from '../../../../tests/support/database';
import { collect, testBus, waitFor } from '../../../../tests/support/kafka';
import { churn, pneumonia, predictionMessage } from '../support/events';
import { startMonitoring } from '../support/monitoring-app';

describe('prediction-made consumer: PredictionMade events into monitoring.predictions, a batch at a time', () => {
  let db: TestDatabase;
  let monitoring: Awaited<ReturnType<typeof startMonitoring>>;
  const bus = testBus();
  const producer = bus.producer();
  const admin = bus.admin();

  beforeAll(async () => {
    db = await createTestDatabase();
    monitoring = await startMonitoring({ pool: db.pool, bus, admin, producer });
  });
  afterAll(async () => {
    await monitoring.close();
    await producer.close();
    await admin.close();
    await db.drop();
  });

  const row = async (id: string) => (await db.pool.query('SELECT * FROM monitoring.predictions WHERE prediction_id = $1', [id])).rows[0];

  test('stores each prediction once with its positive-class score, decision and entity, however often it is delivered', async () => {
    const at = new Date(Date.now() - 60_000);
    const scored = predictionMessage(monitoring.predictionTopic, churn('4', 'C-7590', 0.73, at));
    const viral = predictionMessage(monitoring.predictionTopic, {
      modelName: 'xray-type', modelVersion: '2', score: 0.8, output: { label: 'viral', probability: 0.8, confidence: 'high' }, entityId: 'study-1',
    });
    const normal = predictionMessage(monitoring.predictionTopic, pneumonia('3', 0.1));
    // A relay resend of the same event, and the same prediction announced again under a new event id.
    const again = predictionMessage(monitoring.predictionTopic, { ...churn('4', 'C-7590', 0.73, at), predictionId: scored.predictionId });
    await producer.send([scored.message, viral.message, scored.message, normal.message, again.message]);
    await monitoring.stored([scored.predictionId, viral.predictionId, normal.predictionId]);

    expect(await row(scored.predictionId)).toEqual({
      prediction_id: scored.predictionId, model_name: 'churn', model_version: '4', score: 0.73, label: 'churn', positive: true, entity_id: 'C-7590', created_at: at,
    });
    expect(await row(viral.predictionId)).toMatchObject({ model_name: 'xray-type', label: 'viral', positive: false, entity_id: 'study-1' });
    expect((await row(viral.predictionId)).score).toBeCloseTo(0.2, 12);
    expect(await row(normal.predictionId)).toMatchObject({ label: 'normal', positive: false, entity_id: null });
    const counted = await db.pool.query('SELECT count(*)::int AS n FROM monitoring.predictions WHERE prediction_id = $1', [scored.predictionId]);
    expect(counted.rows[0].n).toBe(1);
  });

  test('a label that arrived before its prediction gets its meaning when the prediction comes', async () => {
    const early = predictionMessage(monitoring.predictionTopic, pneumonia('3', 0.9));
    await withTransaction(db.pool, (tx) =>
      createGroundTruthStore(tx).save([{
        eventId: randomUUID(), predictionId: early.predictionId, entityId: null, label: 'viral', positive: null, source: 'lab', clientName: 'crm', observedAt: new Date(),
      }]),
    );
    await producer.send([early.message]);
    await monitoring.stored([early.predictionId]);
    const label = await db.pool.query('SELECT positive FROM monitoring.ground_truth WHERE prediction_id = $1', [early.predictionId]);
    expect(label.rows).toEqual([{ positive: true }]);
  });

  test('an event that cannot be right goes to the dead-letter topic and its batch-mates are stored', async () => {
    const good = predictionMessage(monitoring.predictionTopic, pneumonia('3', 0.4));
    const bad = predictionMessage(monitoring.predictionTopic, pneumonia('3', 1.7)); // not a probability
    const dlq = await collect(bus, [`${monitoring.predictionTopic}.dlq`]);
    try {
      await producer.send([bad.message, good.message]);
      await monitoring.stored([good.predictionId]);
      await waitFor(() => dlq.received.length, (n) => n >= 1);
      expect(dlq.received.map((m) => m.headers['vigil-event-id'])).toEqual([bad.message.headers!['vigil-event-id']]);
      expect(dlq.received[0].headers['dlq-error']).toMatch(/score 1.7, not a probability/);
      expect(await row(bad.predictionId)).toBeUndefined();
    } finally {
      await dlq.close();
    }
  });

  test('inference announces the entity of a prediction (the churn customerID) in PredictionMade', async () => {
    const store = createInferencePredictionStore(db.pool, { maxBatch: 10 });
    const id = randomUUID();
    await store.save([{
      id, createdAt: new Date(), requestId: 'r', clientName: 'crm', model: { name: 'churn', version: 1, sha256: 'ab'.repeat(32) }, entityId: '7590-VHVEG',
      inputSha256: 'cd'.repeat(32), input: {}, output: { probability: 0.6, churn: true }, latencyMs: 1,
    }]);
    const { rows } = await db.pool.query(`SELECT payload FROM inference.outbox WHERE topic = $1`, [TOPICS.predictionMade]);
    const events = rows.map((r) => decodeEvent(TOPICS.predictionMade, r.payload)).filter((e) => e.predictionId === id);
    expect(events).toEqual([expect.objectContaining({ entityId: '7590-VHVEG', score: 0.6, label: 'churn' })]);
  });
});

import { allTopicSpecs, decodeEvent, TOPICS, type BatchMessageConsumer } from '@vigil/common';
import { createReviewQueue } from '../../src/adapters/postgres/review-store';
import { createReviewSamplerHandler } from '../../src/consumers/prediction-made-review';
import { sampleFraction } from '../../src/domain/sample-reviews';
import { createTestDatabase, type TestDatabase } from '../../../../tests/support/database';
import { silentLogger, testBus, uniqueName, waitFor } from '../../../../tests/support/kafka';
import { churn, pneumonia, predictionMessage, type PredictionSpec } from '../support/events';
import { startModelWatch } from '../support/model-watch';

const RATE = 0.3;

describe('the review queue: sampled and low-confidence predictions, answered by a person, become ground truth', () => {
  let db: TestDatabase;
  let watch: Awaited<ReturnType<typeof startModelWatch>>;
  const bus = testBus();
  const producer = bus.producer();
  const admin = bus.admin();
  const topic = uniqueName('test.prediction.made');
  const samplers: BatchMessageConsumer[] = [];
  let reader = '';
  let writer = '';
  const made: { spec: PredictionSpec; predictionId: string }[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    watch = await startModelWatch({ url: db.url, admin: db.pool });
    reader = await watch.key(['monitoring:read']);
    writer = await watch.key(['feedback:write']);
    await admin.ensureTopics([...allTopicSpecs(), { topic, partitions: 3 }]);
    // Two samplers in groups of their own each see every event: as much duplication as replicas and redeliveries can cause.
    for (let i = 0; i < 2; i++) {
      const consumer = bus.batchConsumer({ groupId: uniqueName('test.review-sampler') });
      await consumer.start([topic], createReviewSamplerHandler({
        queue: createReviewQueue(watch.pool), policy: { defaultRate: RATE, rates: { churn: 0 } }, logger: silentLogger,
      }));
      samplers.push(consumer);
    }
  });
  afterAll(async () => {
    for (const s of samplers) await s.close();
    await producer.close();
    await admin.close();
    await watch.close();
    await db.drop();
  });

  const get = (url: string, key = reader) => watch.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${key}` } });
  const answer = (id: string, body: object, key = writer) =>
    watch.app.inject({ method: 'POST', url: `/v1/reviews/${id}`, headers: { authorization: `Bearer ${key}` }, payload: body });
  const queued = async () => (await db.pool.query('SELECT prediction_id, reason FROM monitoring.reviews')).rows;

  test('every low-confidence prediction and the hashed sample of the confident ones are queued, each once', async () => {
    const specs: PredictionSpec[] = [
      ...Array.from({ length: 60 }, (_, i) => pneumonia('2', 0.9 - i / 200)),
      ...[0.48, 0.51, 0.53].map((p) => pneumonia('2', p, { output: { probability: p, positive: p >= 0.5, threshold: 0.5, confidence: 'low', type: null } })),
      ...Array.from({ length: 20 }, (_, i) => churn('4', `C-${i}`, 0.2, new Date())),
    ];
    const messages = specs.map((spec) => predictionMessage(topic, spec));
    made.push(...messages.map((m, i) => ({ spec: specs[i], predictionId: m.predictionId })));
    await producer.send(messages.map((m) => m.message));
    // The outbox relay resending the same predictions under new event ids changes nothing.
    await producer.send(specs.map((spec, i) => predictionMessage(topic, { ...spec, predictionId: messages[i].predictionId }).message));

    const expected = made.filter(({ spec, predictionId }) =>
      spec.output.confidence === 'low' || (spec.modelName !== 'churn' && sampleFraction(predictionId) < RATE));
    await waitFor(queued, (rows) => rows.length >= expected.length, 30_000);
    await new Promise((r) => setTimeout(r, 1000));
    const rows = await queued();
    expect(rows.map((r) => r.prediction_id).sort()).toEqual(expected.map((e) => e.predictionId).sort());
    expect(rows.filter((r) => r.reason === 'low_confidence')).toHaveLength(3);
    expect(rows.filter((r) => r.reason === 'sampled').length).toBe(expected.length - 3);
  });

  test('GET /v1/reviews lists the open queue oldest first, with what the model answered, and filters by model', async () => {
    const res = await get('/v1/reviews?model=xray-pneumonia');
    expect(res.statusCode).toBe(200);
    const { reviews } = res.json();
    expect(reviews.length).toBe((await queued()).length);
    const low = reviews.find((r: { reason: string }) => r.reason === 'low_confidence');
    expect(low).toMatchObject({ status: 'open', model: { name: 'xray-pneumonia', version: '2' }, reviewer: null, label: null, prediction: { label: expect.any(String) } });
    const created = reviews.map((r: { createdAt: string }) => r.createdAt);
    expect(created).toEqual([...created].sort());
    expect((await get('/v1/reviews?model=churn')).json().reviews).toEqual([]);
    expect((await get('/v1/reviews?status=done')).json().reviews).toEqual([]);
    expect((await get('/v1/reviews?status=closed')).statusCode).toBe(400);
  });

  test('an answer closes the review and stores the label as ground truth (source review) with its FeedbackReceived, once', async () => {
    const [open] = (await get('/v1/reviews?limit=1')).json().reviews;
    const res = await answer(open.reviewId, { label: 'normal', reviewer: 'dr-house' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'done', label: 'normal', reviewer: 'dr-house', feedbackEventId: expect.any(String) });
    expect(watch.committed()).toBe(1);

    const truth = await db.pool.query('SELECT label, positive, source, event_id FROM monitoring.ground_truth WHERE prediction_id = $1', [open.predictionId]);
    expect(truth.rows).toEqual([{ label: 'normal', positive: false, source: 'review', event_id: res.json().feedbackEventId }]);
    const outbox = await db.pool.query('SELECT topic, payload FROM monitoring.outbox WHERE event_id = $1', [res.json().feedbackEventId]);
    expect(outbox.rows).toHaveLength(1);
    expect(decodeEvent(TOPICS.feedbackReceived, outbox.rows[0].payload)).toMatchObject({ predictionId: open.predictionId, label: 'normal', source: 'review' });

    const again = await answer(open.reviewId, { label: 'pneumonia' });
    expect(again.statusCode).toBe(409);
    expect((await db.pool.query('SELECT label FROM monitoring.ground_truth WHERE prediction_id = $1', [open.predictionId])).rows).toEqual([{ label: 'normal' }]);
    expect((await get('/v1/reviews?status=done')).json().reviews).toMatchObject([{ reviewId: open.reviewId, label: 'normal' }]);
  });

  test('two answers at once: one wins, the other is a conflict, and one label is stored', async () => {
    const [open] = (await get('/v1/reviews?limit=1')).json().reviews;
    const [a, b] = await Promise.all([answer(open.reviewId, { label: 'normal' }), answer(open.reviewId, { label: 'viral' })]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409]);
    const history = await db.pool.query('SELECT count(*)::int AS n FROM monitoring.ground_truth_history WHERE prediction_id = $1', [open.predictionId]);
    expect(history.rows[0].n).toBe(1);
  });

  test('an unknown review is 404, a meaningless label 400, and answering needs feedback:write', async () => {
    const [open] = (await get('/v1/reviews?limit=1')).json().reviews;
    expect((await answer('00000000-0000-4000-8000-000000000000', { label: 'normal' })).statusCode).toBe(404);
    const meaningless = await answer(open.reviewId, { label: 'hairline fracture' });
    expect(meaningless.statusCode).toBe(400);
    expect(meaningless.json().detail).toMatch(/means nothing to model xray-pneumonia/);
    expect((await answer(open.reviewId, { label: 'normal' }, reader)).statusCode).toBe(403);
    expect((await get(`/v1/reviews`, writer)).statusCode).toBe(403);
    expect((await get('/v1/reviews?limit=1')).json().reviews[0].reviewId).toBe(open.reviewId);
  });
});

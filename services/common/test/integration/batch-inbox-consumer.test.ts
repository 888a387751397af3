import { randomUUID } from 'node:crypto';
import { createBatchInboxConsumer, dlqTopicFor, VigilError, type BatchInboxHandler, type OutgoingMessage } from '@vigil/common';
import { createTestDatabase, type TestDatabase } from '../../../../tests/support/database';
import { collect, silentLogger, testBus, uniqueName, waitFor } from '../../../../tests/support/kafka';

const message = (topic: string, body: string, eventId: string | null = randomUUID()): OutgoingMessage => ({
  topic, key: 'k', value: Buffer.from(body), headers: eventId ? { 'vigil-event-id': eventId, 'vigil-producer': 'test' } : {},
});

describe('batch inbox consumer', () => {
  let db: TestDatabase;
  const bus = testBus();
  const producer = bus.producer();
  const admin = bus.admin();
  const batchSizes: number[] = [];

  /** Stores a batch with one INSERT, as a high-volume consumer does; "poison" bodies cannot be processed. */
  const handler: BatchInboxHandler = async (messages, tx) => {
    if (messages.some((m) => m.value.toString() === 'poison')) throw new VigilError('VIGIL_VALIDATION', 'poison body');
    batchSizes.push(messages.length);
    await tx.query('INSERT INTO public.batch_seen (event_id, body) SELECT * FROM unnest($1::uuid[], $2::text[])', [
      messages.map((m) => m.eventId), messages.map((m) => m.value.toString()),
    ]);
  };
  const seen = async () => (await db.pool.query('SELECT event_id, body FROM public.batch_seen')).rows as { event_id: string; body: string }[];
  const start = async (topic: string, group: string) => {
    const consumer = createBatchInboxConsumer({
      pool: db.pool, schema: 'monitoring', name: group, consumer: bus.batchConsumer({ groupId: group }), producer, logger: silentLogger, retryDelayMs: 10,
    });
    await consumer.start([topic], handler);
    return consumer;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.pool.query('CREATE TABLE public.batch_seen (event_id uuid PRIMARY KEY, body text NOT NULL)');
  });
  beforeEach(async () => {
    batchSizes.length = 0;
    await db.pool.query('TRUNCATE public.batch_seen');
  });
  afterAll(async () => {
    await producer.close();
    await admin.close();
    await db.drop();
  });

  test('stores what one fetch returned with one transaction, skips repeated and redelivered events, and commits the offsets', async () => {
    const topic = uniqueName('test.batch-inbox');
    const group = uniqueName('test.group');
    await admin.ensureTopics([{ topic, partitions: 1 }]);
    const first = Array.from({ length: 500 }, (_, i) => message(topic, `event ${i}`));
    // The relay sent event 0 twice in a row (a resend after a lost ack).
    await producer.send([first[0], ...first]);

    let consumer = await start(topic, group);
    try {
      const rows = await waitFor(seen, (r) => r.length === 500);
      expect(rows).toHaveLength(500);
      expect(Math.max(...batchSizes)).toBeGreaterThan(1);
      expect(batchSizes.reduce((a, b) => a + b, 0)).toBe(500);
    } finally {
      await consumer.close();
    }

    // Later: ten old events resent, and one new one. The same group resumes after its committed
    // offset and its inbox skips the resent events.
    const fresh = message(topic, 'event 500');
    await producer.send([...first.slice(0, 10), fresh]);
    batchSizes.length = 0;
    consumer = await start(topic, group);
    try {
      const rows = await waitFor(seen, (r) => r.length === 501);
      expect(rows).toHaveLength(501);
      await waitFor(async () => (await db.pool.query('SELECT 1 FROM monitoring.inbox WHERE consumer = $1', [group])).rowCount, (n) => n === 501);
      expect(batchSizes.reduce((a, b) => a + b, 0)).toBe(1);
    } finally {
      await consumer.close();
    }
  });

  test('a bad event goes to the dead-letter topic alone; the rest of its batch is stored', async () => {
    const topic = uniqueName('test.batch-poison');
    const group = uniqueName('test.group');
    await admin.ensureTopics([{ topic, partitions: 1 }, { topic: dlqTopicFor(topic), partitions: 1 }]);
    const good = Array.from({ length: 20 }, (_, i) => message(topic, `good ${i}`));
    const poison = message(topic, 'poison');
    const anonymous = message(topic, 'no event id', null);
    await producer.send([...good.slice(0, 10), poison, anonymous, ...good.slice(10)]);

    const dlq = await collect(bus, [dlqTopicFor(topic)]);
    const consumer = await start(topic, group);
    try {
      const rows = await waitFor(seen, (r) => r.length === 20);
      expect(rows.map((r) => r.body).sort()).toEqual(good.map((m) => m.value.toString()).sort());
      await waitFor(() => dlq.received.length, (n) => n >= 2);
      expect(dlq.received).toHaveLength(2);
      const byBody = Object.fromEntries(dlq.received.map((m) => [m.value!.toString(), m.headers]));
      expect(byBody.poison).toMatchObject({ 'dlq-error-code': 'VIGIL_VALIDATION', 'dlq-error': 'poison body', 'dlq-source-topic': topic, 'dlq-consumer': group });
      expect(byBody['no event id']).toMatchObject({ 'dlq-attempts': '0', 'dlq-error-code': 'VIGIL_INTERNAL' });
      // The poison event was not recorded in the inbox, so a fixed consumer could take it again from the DLQ.
      const inbox = await db.pool.query('SELECT 1 FROM monitoring.inbox WHERE consumer = $1 AND event_id = $2', [group, poison.headers!['vigil-event-id']]);
      expect(inbox.rowCount).toBe(0);
    } finally {
      await consumer.close();
      await dlq.close();
    }
  });
});

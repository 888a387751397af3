import { randomUUID } from 'node:crypto';
import { appendToOutbox, createOutboxRelay, withTransaction, type OutboxRelay } from '@vigil/common';
import { createTestDatabase, type TestDatabase } from '../../../../tests/support/database';
import { collect, kafkaScript, silentLogger, testBus, uniqueName, waitFor } from '../../../../tests/support/kafka';

describe('outbox relay', () => {
  let db: TestDatabase;
  let relay: OutboxRelay | undefined;
  const bus = testBus();
  const producer = bus.producer();
  const admin = bus.admin();

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await relay?.stop();
    await producer.close();
    await admin.close();
    await db.drop();
  });

  test('an event written while the Kafka broker is stopped is delivered exactly once after the broker starts again', async () => {
    const topic = uniqueName('test.outbox');
    await admin.ensureTopics([{ topic, partitions: 1 }]);
    const eventId = randomUUID();
    await kafkaScript('stop');
    try {
      relay = createOutboxRelay({ pool: db.pool, schema: 'ingestion', producer, logger: silentLogger, pollMs: 100, maxBackoffMs: 1000 });
      relay.start();
      await withTransaction(db.pool, (tx) =>
        appendToOutbox(tx, 'ingestion', { eventId, topic, key: 'entity-1', payload: Buffer.from('hello'), producer: 'test' }),
      );

      // The relay keeps trying while the broker is down and leaves the row unsent.
      const row = await waitFor(
        async () => (await db.pool.query('SELECT attempts, sent_at, last_error FROM ingestion.outbox WHERE event_id = $1', [eventId])).rows[0],
        (r) => r.attempts >= 2,
      );
      expect(row.attempts).toBeGreaterThanOrEqual(2);
      expect(row.sent_at).toBeNull();
      expect(row.last_error).toEqual(expect.any(String));
    } finally {
      await kafkaScript('start');
    }

    const sent = await waitFor(
      async () => (await db.pool.query('SELECT sent_at FROM ingestion.outbox WHERE sent_at IS NOT NULL')).rowCount,
      (n) => n === 1,
      60_000,
    );
    expect(sent).toBe(1);

    const collector = await collect(bus, [topic]);
    try {
      await waitFor(() => collector.received.length, (n) => n >= 1);
      // Give a duplicate time to show up before asserting there is none.
      await new Promise((r) => setTimeout(r, 2000));
      expect(collector.received).toHaveLength(1);
      expect(collector.received[0].key).toBe('entity-1');
      expect(collector.received[0].value?.toString()).toBe('hello');
      expect(collector.received[0].headers['vigil-event-id']).toBe(eventId);
    } finally {
      await collector.close();
    }
  });

  test('two relays of one service (two replicas) publish every event once, in commit order', async () => {
    const topic = uniqueName('test.outbox-replicas');
    await admin.ensureTopics([{ topic, partitions: 1 }]);
    const replicas = [1, 2].map(() => createOutboxRelay({ pool: db.pool, schema: 'ingestion', producer, logger: silentLogger, pollMs: 5, batchSize: 7 }));
    const collector = await collect(bus, [topic]);
    try {
      for (const r of replicas) r.start();
      const ids: string[] = [];
      for (let i = 0; i < 20; i++) {
        const batch = Array.from({ length: 10 }, () => randomUUID());
        ids.push(...batch);
        await withTransaction(db.pool, async (tx) => {
          for (const eventId of batch) await appendToOutbox(tx, 'ingestion', { eventId, topic, key: 'entity-1', payload: Buffer.from(eventId), producer: 'test' });
        });
      }
      await waitFor(() => collector.received.length, (n) => n >= ids.length, 60_000);
      await new Promise((r) => setTimeout(r, 1000)); // time for a duplicate to show up
      expect(collector.received.map((m) => m.headers['vigil-event-id'])).toEqual(ids);
    } finally {
      await Promise.all(replicas.map((r) => r.stop()));
      await collector.close();
    }
  });
});

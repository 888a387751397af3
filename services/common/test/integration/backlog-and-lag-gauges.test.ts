import { randomUUID } from 'node:crypto';
import { appendToOutbox, createMetricsRegistry, createOutboxRelay, withTransaction } from '@vigil/common';
import { createConsumerLagMonitor } from '../../src/kafka/consumer-lag';
import { createTestDatabase, type TestDatabase } from '../../../../tests/support/database';
import { KAFKA_BROKERS, silentLogger, testBus, uniqueName, waitFor } from '../../../../tests/support/kafka';

/** The value of one sample in the registry's exposition text, or undefined when it is absent. */
async function sample(registry: ReturnType<typeof createMetricsRegistry>, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name) as { values: { labels: Record<string, unknown>; value: number }[] } | undefined;
  return metric?.values.find((v) => Object.entries(labels).every(([k, want]) => v.labels[k] === want))?.value;
}

describe('backlog and lag gauges', () => {
  let db: TestDatabase;
  const bus = testBus();
  const producer = bus.producer();
  const admin = bus.admin();

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await producer.close();
    await admin.close();
    await db.drop();
  });

  test('vigil_outbox_backlog counts the unsent outbox rows when scraped, under the service label', async () => {
    const topic = uniqueName('test.backlog');
    await admin.ensureTopics([{ topic, partitions: 1 }]);
    const registry = createMetricsRegistry('ingestion');
    const relay = createOutboxRelay({ pool: db.pool, schema: 'ingestion', producer, logger: silentLogger, pollMs: 100, metrics: registry });
    expect(await sample(registry, 'vigil_outbox_backlog', {})).toBe(0);
    for (const key of ['a', 'b']) {
      await withTransaction(db.pool, (tx) => appendToOutbox(tx, 'ingestion', { eventId: randomUUID(), topic, key, payload: Buffer.from(key), producer: 'test' }));
    }
    expect(await registry.getSingleMetricAsString('vigil_outbox_backlog')).toContain('vigil_outbox_backlog{service="ingestion"} 2');
    expect(await relay.runOnce()).toBe(2);
    expect(await sample(registry, 'vigil_outbox_backlog', {})).toBe(0);
  });

  test('vigil_kafka_consumer_lag is zero for a group that has read everything and counts what arrives after it stops', async () => {
    const topic = uniqueName('test.lag');
    const groupId = uniqueName('test.lag-group');
    await admin.ensureTopics([{ topic, partitions: 2 }]);
    const send = (n: number) => producer.send(Array.from({ length: n }, (_, i) => ({ topic, key: `k${i}`, value: Buffer.from(String(i)) })));
    await send(3);

    const registry = createMetricsRegistry('monitoring');
    const lag = createConsumerLagMonitor({ brokers: KAFKA_BROKERS.split(','), clientId: 'vigil-test-lag', registry, logger: silentLogger, pollMs: 200 });
    const consumer = lag.observe(bus).consumer({ groupId });
    let seen = 0;
    await consumer.start([topic], async () => {
      seen += 1;
    });
    lag.start();
    try {
      await waitFor(() => seen, (n) => n === 3);
      expect(await waitFor(() => sample(registry, 'vigil_kafka_consumer_lag', { group: groupId, topic }), (v) => v === 0)).toBe(0);

      await consumer.close();
      await send(4);
      expect(await waitFor(() => sample(registry, 'vigil_kafka_consumer_lag', { group: groupId, topic }), (v) => v === 4)).toBe(4);
    } finally {
      await consumer.close().catch(() => undefined);
      await lag.close();
    }
  });
});

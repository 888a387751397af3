import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { createInboxConsumer, dlqTopicFor } from '@vigil/common';
import { handleFeedbackReceived } from '../../../monitoring/src/consumers/feedback-received';
import { createTestDatabase, type TestDatabase } from '../../../../tests/support/database';
import { feedbackMessage } from '../../../../tests/support/feedback-events';
import { collect, KAFKA_BROKERS, REPO_ROOT, silentLogger, testBus, uniqueName, waitFor } from '../../../../tests/support/kafka';

const run = promisify(execFile);

describe('inbox consumer', () => {
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

  const truthRows = async (entityId: string) =>
    (await db.pool.query('SELECT * FROM monitoring.ground_truth WHERE entity_id = $1', [entityId])).rows;

  test('a consumer that crashes after processing but before committing its offset does not apply the event twice', async () => {
    const topic = uniqueName('test.inbox');
    const group = uniqueName('test.group');
    await admin.ensureTopics([{ topic, partitions: 1 }]);
    const { eventId, message } = feedbackMessage(topic, 'customer-crash');
    await producer.send([message]);

    // First consumer: processes the event, then the process dies before the offset commit.
    const crashed = await run(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'tests/support/crashing-consumer.ts')], {
      cwd: REPO_ROOT,
      env: { ...process.env, DATABASE_URL: db.url, KAFKA_BROKERS, GROUP_ID: group, TOPIC: topic },
      timeout: 60_000,
    }).catch((err: { code?: number; stdout?: string }) => err);
    expect((crashed as { code?: number }).code).toBe(3);
    expect(await truthRows('customer-crash')).toHaveLength(1);

    // Second consumer in the same group gets the event again, because its offset was never committed.
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const consumer = createInboxConsumer({ pool: db.pool, schema: 'monitoring', name: group, consumer: bus.consumer({ groupId: group }), producer, logger });
    await consumer.start([topic], handleFeedbackReceived);
    try {
      const seen = await waitFor(
        () => lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'duplicate event skipped' && l.eventId === eventId),
        (found) => found.length > 0,
      );
      expect(seen).toHaveLength(1);
      expect(await truthRows('customer-crash')).toHaveLength(1);
      const inbox = await db.pool.query('SELECT * FROM monitoring.inbox WHERE event_id = $1', [eventId]);
      expect(inbox.rowCount).toBe(1);
    } finally {
      await consumer.close();
    }
  });

  test('a poison message ends up in the dead-letter topic and later messages are still processed', async () => {
    const topic = uniqueName('test.poison');
    const group = uniqueName('test.group');
    await admin.ensureTopics([{ topic, partitions: 1 }, { topic: dlqTopicFor(topic), partitions: 1 }]);
    const poison = feedbackMessage(topic, 'customer-poison');
    poison.message.value = Buffer.from([0xff, 0xff, 0xff, 0xff]); // not a protobuf message
    const good = feedbackMessage(topic, 'customer-after-poison', 'No');
    await producer.send([poison.message, good.message]);

    const dlq = await collect(bus, [dlqTopicFor(topic)]);
    const consumer = createInboxConsumer({
      pool: db.pool, schema: 'monitoring', name: group, consumer: bus.consumer({ groupId: group }), producer, logger: silentLogger,
    });
    await consumer.start([topic], handleFeedbackReceived);
    try {
      const rows = await waitFor(() => truthRows('customer-after-poison'), (r) => r.length === 1);
      expect(rows).toHaveLength(1);
      expect(rows[0].label).toBe('No');
      await waitFor(() => dlq.received.length, (n) => n >= 1);
      expect(dlq.received).toHaveLength(1);
      const dead = dlq.received[0];
      expect(dead.key).toBe('customer-poison');
      expect(dead.headers['vigil-event-id']).toBe(poison.eventId);
      expect(dead.headers['dlq-error-code']).toBe('VIGIL_VALIDATION');
      expect(dead.headers['dlq-error']).toMatch(/undecodable FeedbackReceived/);
      expect(dead.headers['dlq-source-topic']).toBe(topic);
      expect(await truthRows('customer-poison')).toHaveLength(0);
    } finally {
      await consumer.close();
      await dlq.close();
    }
  });
});

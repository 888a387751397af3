/**
 * A monitoring feedback consumer that dies right after an event's inbox transaction has committed
 * and before its Kafka offset is committed: the window a real crash (OOM kill, node restart) can hit.
 * Run as a child process by inbox-consumer.test.ts.
 */
import pino from 'pino';
import { createInboxConsumer, createKafkaBus, createPool, type MessageConsumer } from '@vigil/common';
import { handleFeedbackReceived } from '../../services/monitoring/src/consumers/feedback-received';

const env = (name: string) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required`);
  return v;
};

const logger = pino({ level: 'silent' });
const pool = createPool({ connectionString: env('DATABASE_URL'), applicationName: 'crashing-consumer' });
const bus = createKafkaBus({ brokers: env('KAFKA_BROKERS').split(','), clientId: 'crashing-consumer', logger });
// The broker's minimum session timeout: the survivor takes over 6 s after the crash, not 30 s.
const real = bus.consumer({ groupId: env('GROUP_ID'), sessionTimeoutMs: 6000 });
const crashBeforeCommit: MessageConsumer = {
  start: (topics, handler) =>
    real.start(topics, async (message) => {
      await handler(message);
      process.stdout.write(`processed ${message.offset}\n`);
      process.exit(3);
    }),
  close: () => real.close(),
};
const inbox = createInboxConsumer({ pool, schema: 'monitoring', name: env('GROUP_ID'), consumer: crashBeforeCommit, producer: bus.producer(), logger });
void inbox.start([env('TOPIC')], handleFeedbackReceived);

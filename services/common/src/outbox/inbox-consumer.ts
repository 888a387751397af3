import type { Pool, PoolClient } from 'pg';
import type { Logger } from 'pino';
import { VigilError } from '../errors/vigil-error';
import type { IncomingMessage, MessageConsumer, MessageProducer } from '../kafka/ports';
import { EVENT_ID_PATTERN, retryOrDeadLetter, sendToDeadLetter } from './dead-letter';
import { HEADER_EVENT_ID } from './outbox';

export { dlqTopicFor } from './dead-letter';

export interface InboxMessage extends IncomingMessage {
  eventId: string;
  value: Buffer;
}

export type InboxHandler = (message: InboxMessage, tx: PoolClient, log: Logger) => Promise<void>;

export interface InboxConsumerOptions {
  pool: Pool;
  /** The consuming service's schema, which holds its inbox table. */
  schema: string;
  /** Names this consumer in the inbox; usually the Kafka group id. */
  name: string;
  consumer: MessageConsumer;
  /** Producer used for dead letters. */
  producer: MessageProducer;
  logger: Logger;
  /** Tries for an error that says it can be retried, before dead-lettering. */
  maxAttempts?: number;
  retryDelayMs?: number;
}

type Outcome = 'processed' | 'duplicate';

/**
 * Consumes with an inbox: the event id and the handler's writes commit in one transaction, then
 * the offset is committed. A redelivered event (crash before the offset commit, relay resend)
 * finds its id in the inbox and is skipped. A message that keeps failing, or cannot be processed
 * at all, goes to `<topic>.dlq` with the error, and the consumer moves on.
 */
export function createInboxConsumer(options: InboxConsumerOptions) {
  const { pool, schema, name, consumer, producer, maxAttempts = 3, retryDelayMs = 200 } = options;
  const baseLog = options.logger.child({ consumer: name });

  async function processOnce(message: InboxMessage, handler: InboxHandler, log: Logger): Promise<Outcome> {
    const client = await pool.connect().catch((err: unknown) => {
      throw new VigilError('VIGIL_UNAVAILABLE', 'Database unavailable', { cause: err });
    });
    try {
      await client.query('BEGIN');
      const claimed = await client.query(
        `INSERT INTO ${schema}.inbox (consumer, event_id, topic) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
        [name, message.eventId, message.topic],
      );
      if (claimed.rowCount === 0) {
        await client.query('ROLLBACK');
        return 'duplicate';
      }
      await handler(message, client, log);
      await client.query('COMMIT');
      return 'processed';
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  const deadLetter = (message: IncomingMessage, err: unknown, attempts: number) => sendToDeadLetter(producer, name, message, err, attempts);

  async function handle(message: IncomingMessage, handler: InboxHandler): Promise<void> {
    const eventId = message.headers[HEADER_EVENT_ID];
    const log = baseLog.child({ eventId, topic: message.topic, offset: message.offset });
    if (!eventId || !EVENT_ID_PATTERN.test(eventId) || !message.value) {
      log.error('message without a valid event id or body; dead-lettering');
      await deadLetter(message, new Error(`missing or invalid ${HEADER_EVENT_ID} header or empty body`), 0);
      return;
    }
    const inboxMessage: InboxMessage = { ...message, eventId, value: message.value };
    await retryOrDeadLetter(
      async () => {
        if ((await processOnce(inboxMessage, handler, log)) === 'duplicate') log.info('duplicate event skipped');
      },
      { maxAttempts, retryDelayMs, log, deadLetter: (err, attempts) => deadLetter(message, err, attempts) },
    );
  }

  return {
    start(topics: string[], handler: InboxHandler): Promise<void> {
      return consumer.start(topics, (message) => handle(message, handler));
    },
    close(): Promise<void> {
      return consumer.close();
    },
  };
}

import type { Pool, PoolClient } from 'pg';
import type { Logger } from 'pino';
import { VigilError } from '../errors/vigil-error';
import type { BatchMessageConsumer, IncomingMessage, MessageProducer } from '../kafka/ports';
import { isInfrastructureOutage } from '../errors/outage';
import { EVENT_ID_PATTERN, retryOrDeadLetter, sendToDeadLetter } from './dead-letter';
import type { InboxMessage } from './inbox-consumer';
import { HEADER_EVENT_ID } from './outbox';

/**
 * Gets the events of one batch that this consumer has not processed before, in offset order,
 * inside the transaction that records them in the inbox: write them with one statement.
 */
export type BatchInboxHandler = (messages: InboxMessage[], tx: PoolClient, log: Logger) => Promise<void>;

export interface BatchInboxConsumerOptions {
  pool: Pool;
  /** The consuming service's schema, which holds its inbox table. */
  schema: string;
  /** Names this consumer in the inbox; usually the Kafka group id. */
  name: string;
  consumer: BatchMessageConsumer;
  /** Producer used for dead letters. */
  producer: MessageProducer;
  logger: Logger;
  /** Tries for an error that says it can be retried, before dead-lettering (once a batch is split). */
  maxAttempts?: number;
  retryDelayMs?: number;
}

/**
 * The inbox of createInboxConsumer for high-volume topics: what one fetch returned for a partition
 * is recorded with one inbox INSERT (unnest, ON CONFLICT DO NOTHING … RETURNING says which events
 * are new) and handed to the handler in the same transaction; the offset is committed after the
 * commit. Redelivered events (a crash before the offset commit, a relay resend, the same event
 * twice in one fetch) are skipped. When a batch fails for a reason other than an outage, its
 * events are processed one per transaction, with the same retry and dead-letter rules as
 * createInboxConsumer, so one bad event costs one dead letter rather than the batch.
 */
export function createBatchInboxConsumer(options: BatchInboxConsumerOptions) {
  const { pool, schema, name, consumer, producer, maxAttempts = 3, retryDelayMs = 200 } = options;
  const baseLog = options.logger.child({ consumer: name });

  async function processBatch(messages: InboxMessage[], handler: BatchInboxHandler, log: Logger): Promise<number> {
    const client = await pool.connect().catch((err: unknown) => {
      throw new VigilError('VIGIL_UNAVAILABLE', 'Database unavailable', { cause: err });
    });
    try {
      await client.query('BEGIN');
      const claimed = await client.query<{ event_id: string }>(
        `INSERT INTO ${schema}.inbox (consumer, event_id, topic)
         SELECT $1, e, t FROM unnest($2::uuid[], $3::text[]) AS u(e, t)
         ON CONFLICT DO NOTHING RETURNING event_id`,
        [name, messages.map((m) => m.eventId), messages.map((m) => m.topic)],
      );
      const fresh = new Set(claimed.rows.map((r) => r.event_id));
      const todo = messages.filter((m) => fresh.has(m.eventId.toLowerCase()));
      if (todo.length > 0) await handler(todo, client, log);
      await client.query('COMMIT');
      return todo.length;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async function processAlone(message: InboxMessage, handler: BatchInboxHandler, log: Logger): Promise<void> {
    await retryOrDeadLetter(async () => void (await processBatch([message], handler, log)), {
      maxAttempts, retryDelayMs, log, deadLetter: (err, attempts) => sendToDeadLetter(producer, name, message, err, attempts),
    });
  }

  async function handle(batch: IncomingMessage[], handler: BatchInboxHandler): Promise<void> {
    const first = batch[0];
    const log = baseLog.child({ topic: first.topic, partition: first.partition, offsets: `${first.offset}..${batch[batch.length - 1].offset}` });
    const valid: InboxMessage[] = [];
    const seen = new Set<string>();
    for (const message of batch) {
      const eventId = message.headers[HEADER_EVENT_ID];
      if (!eventId || !EVENT_ID_PATTERN.test(eventId) || !message.value) {
        log.error({ offset: message.offset }, 'message without a valid event id or body; dead-lettering');
        await sendToDeadLetter(producer, name, message, new Error(`missing or invalid ${HEADER_EVENT_ID} header or empty body`), 0);
        continue;
      }
      // The same event twice in one fetch (a relay resend landing right behind the original).
      if (seen.has(eventId.toLowerCase())) continue;
      seen.add(eventId.toLowerCase());
      valid.push({ ...message, eventId, value: message.value });
    }
    if (valid.length === 0) return;
    try {
      const processed = await processBatch(valid, handler, log);
      log.debug({ processed, duplicates: valid.length - processed }, 'batch processed');
      return;
    } catch (err) {
      // Postgres or Kafka down: throw, so the offset stays and the batch comes back after the outage.
      if (isInfrastructureOutage(err)) throw err;
      log.warn({ err, size: valid.length }, 'batch failed; processing its events one at a time to set the bad one aside');
    }
    for (const message of valid) await processAlone(message, handler, log.child({ eventId: message.eventId, offset: message.offset }));
  }

  return {
    start(topics: string[], handler: BatchInboxHandler): Promise<void> {
      return consumer.start(topics, (batch) => handle(batch, handler));
    },
    close(): Promise<void> {
      return consumer.close();
    },
  };
}

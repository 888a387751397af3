import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { createPollingWorker } from '../runtime/polling-worker';

export interface MessagingRetentionOptions {
  pool: Pool;
  schema: string;
  /** Inbox rows processed, and outbox rows sent, longer ago than this are deleted. */
  retentionMs: number;
  /** Rows per DELETE: short statements, so the consumers and the relay never wait long on it. */
  batchSize?: number;
}

/**
 * One pass of retention over a service's inbox and outbox. The inbox exists to drop redeliveries,
 * and Kafka redelivers only what it still holds: once an event is older than the topic's retention
 * (7 days by default) its event id can never arrive again, so keeping it only grows the table — by
 * one row per prediction for monitoring. Sent outbox rows are kept as long, for inspection.
 * Unsent rows are never touched, however old.
 */
export async function pruneMessaging(options: MessagingRetentionOptions): Promise<{ inbox: number; outbox: number }> {
  const { pool, schema, retentionMs, batchSize = 5000 } = options;
  const cutoff = new Date(Date.now() - retentionMs);
  const drain = async (sql: string) => {
    let total = 0;
    for (;;) {
      const { rowCount } = await pool.query(sql, [cutoff, batchSize]);
      total += rowCount ?? 0;
      if ((rowCount ?? 0) < batchSize) return total;
    }
  };
  // DELETE has no LIMIT, hence the batches by ctid; inbox_by_processed_at serves the inbox scan.
  const inbox = await drain(
    `DELETE FROM ${schema}.inbox WHERE ctid = ANY(ARRAY(SELECT ctid FROM ${schema}.inbox WHERE processed_at < $1 LIMIT $2))`,
  );
  // The outbox gets no index on sent_at: the relay's UPDATE would write one more index entry per
  // event on the audit's hot path. Instead it walks the oldest rows by seq (primary key) below the
  // first unsent one (outbox_unsent), deleting those sent before the cutoff, and stops at the first
  // batch with a row too young: sent_at grows with seq, so what is left is the recent tail.
  const outbox = await drain(
    `DELETE FROM ${schema}.outbox WHERE seq = ANY(ARRAY(
       SELECT seq FROM ${schema}.outbox
        WHERE seq < (SELECT coalesce(min(seq), 9223372036854775807) FROM ${schema}.outbox WHERE sent_at IS NULL)
        ORDER BY seq LIMIT $2))
       AND sent_at < $1`,
  );
  return { inbox, outbox };
}

/** Runs pruneMessaging every `pollMs` (hourly by default) in the background. */
export function createMessagingRetention(options: MessagingRetentionOptions & { logger: Logger; pollMs?: number }) {
  const log = options.logger.child({ component: 'messaging-retention', schema: options.schema });
  return createPollingWorker(
    async () => {
      const deleted = await pruneMessaging(options);
      if (deleted.inbox + deleted.outbox > 0) log.info(deleted, 'old inbox and sent outbox rows deleted');
    },
    { pollMs: options.pollMs ?? 3_600_000, logger: options.logger, name: 'messaging-retention' },
  );
}

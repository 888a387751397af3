import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import type { MessageProducer } from '../kafka/ports';

export interface OutboxRelayOptions {
  pool: Pool;
  schema: string;
  producer: MessageProducer;
  logger: Logger;
  pollMs: number;
  batchSize?: number;
  /** Longest wait between attempts while Kafka is down. */
  maxBackoffMs?: number;
  /** Where to register `vigil_outbox_backlog` (its `service` label is the registry's default label). */
  metrics?: Registry;
}

export interface OutboxRelay {
  start(): void;
  /** Publishes what is pending now, once; returns how many events were sent. */
  runOnce(): Promise<number>;
  /** Asks for a pass as soon as possible, e.g. right after a transaction appended an event. */
  kick(): void;
  /** Stops polling after a last attempt to flush (used on SIGTERM). */
  stop(): Promise<void>;
}

interface OutboxRow {
  seq: string;
  topic: string;
  msg_key: string | null;
  payload: Buffer;
  headers: Record<string, string>;
}

/**
 * Publishes outbox rows to Kafka in commit order and marks them sent. One transaction-scoped
 * advisory lock per schema lets one relay of the service publish at a time, so replicas never send
 * the same batch concurrently and events leave in seq order. It replaced SELECT … FOR UPDATE SKIP
 * LOCKED: row locks write every tuple once more before the UPDATE does, which under the audit's
 * load was a third of the relay's Postgres time. If the process dies between the broker's ack and
 * the UPDATE, the batch is sent again: delivery is at-least-once, and consumers deduplicate by
 * event id (inbox).
 */
export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { pool, schema, producer, pollMs, batchSize = 1000, maxBackoffMs = 5000 } = options;
  const log = options.logger.child({ component: 'outbox-relay', schema });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let stopped = true;
  let failures = 0;
  if (options.metrics) registerBacklogGauge(options.metrics, pool, schema, log);

  async function publishBatch(): Promise<number> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const { rows: lock } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS ok', [`vigil-outbox:${schema}`]);
      // Another replica's relay is publishing: it takes these rows, and this one tries again later.
      const { rows } = lock[0].ok
        ? await client.query<OutboxRow>(
            `SELECT seq, topic, msg_key, payload, headers FROM ${schema}.outbox WHERE sent_at IS NULL ORDER BY seq LIMIT $1`,
            [batchSize],
          )
        : { rows: [] as OutboxRow[] };
      if (rows.length === 0) {
        await client.query('COMMIT');
        return 0;
      }
      try {
        await producer.send(rows.map((r) => ({ topic: r.topic, key: r.msg_key, value: r.payload, headers: r.headers })));
      } catch (err) {
        await client.query('ROLLBACK');
        await pool
          .query(`UPDATE ${schema}.outbox SET attempts = attempts + 1, last_error = $2 WHERE seq = ANY($1::bigint[])`, [
            rows.map((r) => r.seq),
            (err as Error).message,
          ])
          .catch(() => undefined);
        throw err;
      }
      await client.query(`UPDATE ${schema}.outbox SET sent_at = now() WHERE seq = ANY($1::bigint[])`, [rows.map((r) => r.seq)]);
      await client.query('COMMIT');
      return rows.length;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async function drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const sent = await publishBatch();
      total += sent;
      if (sent < batchSize) return total;
    }
  }

  function runOnce(): Promise<number> {
    running ??= drain().finally(() => {
      running = undefined;
    });
    return running;
  }

  function schedule(delay: number): void {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(tick, delay);
  }

  async function tick(): Promise<void> {
    try {
      const sent = await runOnce();
      if (failures > 0) log.info({ failures }, 'outbox relay recovered');
      failures = 0;
      if (sent > 0) log.debug({ sent }, 'outbox events published');
      schedule(pollMs);
    } catch (err) {
      failures += 1;
      const backoff = Math.min(maxBackoffMs, pollMs * 2 ** Math.min(failures, 10));
      log.warn({ err, failures, retryInMs: backoff }, 'outbox publish failed; will retry');
      schedule(backoff);
    }
  }

  return {
    start() {
      stopped = false;
      schedule(0);
    },
    runOnce,
    kick() {
      if (failures === 0) schedule(0);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await runOnce().catch((err) => log.warn({ err }, 'outbox flush on shutdown failed; events stay queued'));
    },
  };
}

/**
 * Unsent rows, counted when Prometheus scrapes (every 15 s) rather than on every 500 ms poll; the
 * partial index outbox_unsent makes the count touch unsent rows only. A failed count keeps the last
 * value: a collect() that throws would fail the whole /metrics answer, and an unreachable Postgres
 * already shows in /readyz.
 */
function registerBacklogGauge(registry: Registry, pool: Pool, schema: string, log: Logger): void {
  new Gauge({
    name: 'vigil_outbox_backlog',
    help: 'Outbox events not yet published to Kafka',
    registers: [registry],
    async collect() {
      try {
        const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.outbox WHERE sent_at IS NULL`);
        this.set(rows[0].n);
      } catch (err) {
        log.warn({ err }, 'outbox backlog count failed; reporting the last value');
      }
    },
  });
}

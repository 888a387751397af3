import { Pool, type PoolClient } from 'pg';
import { VigilError } from '../errors/vigil-error';

export type { Pool, PoolClient };

export interface PoolOptions {
  connectionString: string;
  applicationName: string;
  max?: number;
  /** Database role every connection runs as, e.g. vigil_ingestion (set at connection start). */
  role?: string;
}

/** One pool per service process, created in main.ts only (no module-level singletons). */
export function createPool(options: PoolOptions): Pool {
  const pool = new Pool({
    connectionString: options.connectionString,
    application_name: options.applicationName,
    max: options.max ?? 10,
    // Fail fast when Postgres is unreachable instead of queueing requests for ever: readiness and
    // requests then report 503 within seconds.
    connectionTimeoutMillis: 3000,
    idleTimeoutMillis: 10000,
    // The role is a startup parameter, so no query can ever run with the login role's rights.
    ...(options.role ? { options: `-c role=${options.role}` } : {}),
  });
  // An idle client losing its connection emits 'error' on the pool; without a listener that
  // would crash the process. The next checkout simply opens a new connection.
  pool.on('error', () => undefined);
  // pg-pool removes its idle listener while a client is checked out, so a server restart (57P01 to
  // every backend) emitting 'error' on a client a service holds, e.g. the outbox relay across
  // producer.send, would crash the process. The query in flight still fails and the broken client
  // is discarded on release.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

/**
 * Runs `fn` inside one transaction. Everything that matters (state change + its outbox event,
 * or an inbox mark + the processing it records) goes through here.
 */
export async function withTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await connect(pool);
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

async function connect(pool: Pool): Promise<PoolClient> {
  try {
    return await pool.connect();
  } catch (err) {
    throw new VigilError('VIGIL_UNAVAILABLE', 'Database unavailable', { cause: err });
  }
}

/** Readiness probe: a round trip with a short timeout. */
export async function pingPostgres(pool: Pool, timeoutMs = 2000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([pool.query('SELECT 1'), timeout]);
  } finally {
    clearTimeout(timer);
  }
}


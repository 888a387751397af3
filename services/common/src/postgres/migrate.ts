import path from 'node:path';
import { Client } from 'pg';
import { runner } from 'node-pg-migrate';

/**
 * Schema migrations with node-pg-migrate: one schema per service, each with its own migrations
 * folder and its own bookkeeping table, so a service's history never mixes with another's.
 * `iam` (API keys) belongs to the platform and is migrated from services/common.
 */
const SERVICES_DIR = path.resolve(__dirname, '../../..');

export const SERVICE_SCHEMAS = [
  { schema: 'iam', dir: path.join(SERVICES_DIR, 'common/migrations') },
  { schema: 'ingestion', dir: path.join(SERVICES_DIR, 'ingestion/migrations') },
  { schema: 'training', dir: path.join(SERVICES_DIR, 'training/migrations') },
  { schema: 'inference', dir: path.join(SERVICES_DIR, 'inference/migrations') },
  { schema: 'monitoring', dir: path.join(SERVICES_DIR, 'monitoring/migrations') },
] as const;

/** Creates the database named in the URL when it does not exist yet (connects to `postgres`). */
export async function createDatabaseIfMissing(databaseUrl: string): Promise<boolean> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!name) throw new Error('DATABASE_URL names no database');
  url.pathname = '/postgres';
  const admin = new Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return false;
    await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    return true;
  } finally {
    await admin.end();
  }
}

export interface MigrateOptions {
  databaseUrl: string;
  log?: (message: string) => void;
}

export async function migrateAll({ databaseUrl, log = () => undefined }: MigrateOptions): Promise<void> {
  await createDatabaseIfMissing(databaseUrl);
  for (const { schema, dir } of SERVICE_SCHEMAS) {
    const applied = await runner({
      databaseUrl,
      dir,
      schema,
      createSchema: true,
      migrationsSchema: schema,
      createMigrationsSchema: true,
      migrationsTable: 'pgmigrations',
      direction: 'up',
      count: Infinity,
      checkOrder: true,
      singleTransaction: true,
      log: () => undefined,
      logger: { debug: () => undefined, info: () => undefined, warn: log, error: log },
    });
    log(`migrations: ${schema} ${applied.length ? `applied ${applied.map((m) => m.name).join(', ')}` : 'up to date'}`);
  }
}

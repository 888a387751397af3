import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createPool, migrateAll, type Pool } from '@vigil/common';

export const PG_ADMIN_URL = process.env.TEST_PG_ADMIN_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  url: string;
  pool: Pool;
  drop(): Promise<void>;
}

/** A fresh, fully migrated database per test file, on the real Postgres server. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `vigil_test_${randomBytes(6).toString('hex')}`;
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  await migrateAll({ databaseUrl: url.toString() });
  const pool = createPool({ connectionString: url.toString(), applicationName: 'vigil-test' });
  return {
    url: url.toString(),
    pool,
    async drop() {
      await pool.end();
      const admin = new Client({ connectionString: PG_ADMIN_URL });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

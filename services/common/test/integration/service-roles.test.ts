import { createApiKeyStore, createPool, type Pool } from '@vigil/common';
import { createTestDatabase, type TestDatabase } from '../../../../tests/support/database';

describe('service database roles', () => {
  let db: TestDatabase;
  let ingestion: Pool;
  beforeAll(async () => {
    db = await createTestDatabase();
    // The pool a running ingestion service uses (runService sets the same role).
    ingestion = createPool({ connectionString: db.url, applicationName: 'role-test', role: 'vigil_ingestion' });
  });
  afterAll(async () => {
    await ingestion.end();
    await db.drop();
  });

  test('a service writes its own schema, including tables added by later migrations', async () => {
    await ingestion.query(
      `INSERT INTO ingestion.feedback (id, entity_id, label, source, client_name) VALUES (gen_random_uuid(), 'c', 'Yes', 'api', 't')`,
    );
    await ingestion.query(`INSERT INTO ingestion.outbox (event_id, topic, payload) VALUES (gen_random_uuid(), 't', '\\x00')`);
    expect((await ingestion.query('SELECT current_user')).rows[0].current_user).toBe('vigil_ingestion');
  });

  test('a service cannot write (or read) another service’s schema', async () => {
    await expect(
      ingestion.query(`INSERT INTO monitoring.inbox (consumer, event_id, topic) VALUES ('x', gen_random_uuid(), 't')`),
    ).rejects.toThrow(/permission denied for schema monitoring/);
    await expect(ingestion.query('SELECT * FROM training.outbox')).rejects.toThrow(/permission denied/);
  });

  test('a service can authenticate callers and register the bootstrap key, but not revoke keys', async () => {
    const keys = createApiKeyStore(ingestion);
    await keys.register('bootstrap-key-0123456789', 'bootstrap-admin', ['*']);
    expect(await keys.authenticate('bootstrap-key-0123456789')).toMatchObject({ name: 'bootstrap-admin' });
    await expect(ingestion.query('UPDATE iam.api_keys SET revoked_at = now()')).rejects.toThrow(/permission denied/);
  });
});

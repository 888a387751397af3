import { createApiKeyStore } from '@vigil/common';
import { createTestDatabase, type TestDatabase } from '../../../../tests/support/database';

describe('API key authentication cache', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  test('a key revoked by another process stops working once the cache entry expires', async () => {
    const service = createApiKeyStore(db.pool, { cacheTtlMs: 300 });
    const cli = createApiKeyStore(db.pool);
    const { record, key } = await cli.create('crm', ['churn:score']);
    expect(await service.authenticate(key)).toMatchObject({ name: 'crm' });
    await cli.revoke(record.id);
    // Within the TTL the service may still accept it; after it, never.
    await new Promise((r) => setTimeout(r, 350));
    expect(await service.authenticate(key)).toBeNull();
  });

  test('a key revoked through the same store is refused at once', async () => {
    const store = createApiKeyStore(db.pool, { cacheTtlMs: 60_000 });
    const { record, key } = await store.create('pacs', ['xray:submit']);
    expect(await store.authenticate(key)).not.toBeNull();
    await store.revoke(record.id);
    expect(await store.authenticate(key)).toBeNull();
  });
});

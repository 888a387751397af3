import { createPool, type VigilApp } from '@vigil/common';
import { createTestDatabase, type TestDatabase } from '../../../../tests/support/database';
import { buildIngestionApp } from '../../../../tests/support/ingestion-app';
import { testBus, waitFor } from '../../../../tests/support/kafka';
import { startTcpProxy } from '../../../../tests/support/tcp-proxy';

describe('readiness', () => {
  let db: TestDatabase;
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
  let app: VigilApp;
  let pool: ReturnType<typeof createPool>;
  const admin = testBus().admin();

  beforeAll(async () => {
    db = await createTestDatabase();
    proxy = await startTcpProxy(5432);
    const url = new URL(db.url);
    url.port = String(proxy.port);
    pool = createPool({ connectionString: url.toString(), applicationName: 'readiness-test' });
    app = await buildIngestionApp(pool, admin);
  });
  afterAll(async () => {
    await app.close();
    await pool.end();
    await proxy.close();
    await admin.close();
    await db.drop();
  });

  const readyz = () => app.inject({ method: 'GET', url: '/readyz' });

  test('/readyz turns 503 while Postgres is unreachable and 200 again when it returns', async () => {
    const before = await readyz();
    expect(before.statusCode).toBe(200);
    expect(before.json()).toEqual({ status: 'ready', checks: { postgres: 'ok', kafka: 'ok' } });

    await proxy.cut();
    const down = await readyz();
    expect(down.statusCode).toBe(503);
    expect(down.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(down.json()).toMatchObject({ status: 503, code: 'VIGIL_UNAVAILABLE', checks: { kafka: 'ok' } });
    expect(down.json().detail).toMatch(/postgres/);

    // Liveness does not depend on Postgres: restarting the process would not help.
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);

    await proxy.restore();
    const after = await waitFor(readyz, (r) => r.statusCode === 200, 15_000);
    expect(after.statusCode).toBe(200);
  });
});

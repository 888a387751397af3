import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from './support/database';
import { KAFKA_BROKERS, REPO_ROOT, waitFor } from './support/kafka';

const MAIN = path.join(REPO_ROOT, 'services/ingestion/src/main.ts');
const ADMIN_KEY = 'test-admin-key-0123456789abcdef';

function startIngestion(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: REPO_ROOT,
    env: { ...process.env, KAFKA_BROKERS, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => ({ stdout, stderr }) };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

describe('a service process', () => {
  test('a malformed DATABASE_URL stops the service with a message naming it', async () => {
    const svc = startIngestion({ DATABASE_URL: 'postgres//oops', PORT: String(await freePort()) });
    expect(await svc.exited).toBe(1);
    expect(svc.output().stderr).toMatch(/DATABASE_URL/);
  });

  test('a non-numeric PORT stops the service with a message naming it', async () => {
    const svc = startIngestion({ PORT: 'eighty' });
    expect(await svc.exited).toBe(1);
    expect(svc.output().stderr).toMatch(/PORT/);
  });

  describe('with a database', () => {
    let db: TestDatabase;
    let svc: ReturnType<typeof startIngestion> | undefined;
    beforeAll(async () => {
      db = await createTestDatabase();
    });
    afterAll(async () => {
      svc?.child.kill('SIGKILL');
      await db.drop();
    });

    test('SIGTERM during a slow request lets that request finish, then the process exits cleanly', async () => {
      const port = await freePort();
      svc = startIngestion({ DATABASE_URL: db.url, PORT: String(port), VIGIL_ADMIN_KEY: ADMIN_KEY });
      const ready = await waitFor(
        () => fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status, () => 0),
        (s) => s === 200,
        60_000,
      );
      expect(ready).toBe(200);

      // A client uploading its body slowly: headers and half the body now, the rest after SIGTERM.
      const body = JSON.stringify({ entityId: 'slow-customer', label: 'Yes' });
      const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request(
          {
            host: '127.0.0.1', port, method: 'POST', path: '/v1/feedback',
            headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          },
          (res) => {
            let text = '';
            res.on('data', (d) => (text += d));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
          },
        );
        req.on('error', reject);
        req.write(body.slice(0, 10));
        setTimeout(() => svc!.child.kill('SIGTERM'), 300);
        setTimeout(() => req.end(body.slice(10)), 1500);
      });

      const answered = await response;
      expect(answered.status).toBe(201);
      const stored = await db.pool.query("SELECT client_name FROM ingestion.feedback WHERE entity_id = 'slow-customer'");
      expect(stored.rows).toEqual([{ client_name: 'bootstrap-admin' }]);

      const started = Date.now();
      expect(await svc.exited).toBe(0);
      expect(Date.now() - started).toBeLessThan(10_000);
      // The outbox was flushed on the way out.
      const unsent = await db.pool.query('SELECT count(*)::int AS n FROM ingestion.outbox WHERE sent_at IS NULL');
      expect(unsent.rows[0].n).toBe(0);
      expect(svc.output().stdout).toMatch(/"msg":"shut down"/);
    });
  });
});

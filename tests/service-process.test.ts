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

    test('requests that arrive while it drains after SIGTERM get 503 problem+json, and it exits inside its timeout', async () => {
      const port = await freePort();
      svc = startIngestion({ DATABASE_URL: db.url, PORT: String(port), VIGIL_ADMIN_KEY: ADMIN_KEY });
      expect(await waitFor(() => fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status, () => 0), (s) => s === 200, 60_000)).toBe(200);
      const headers = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' };
      // A slow upload keeps the drain open for a second and a half, as a long request would; a
      // second client whose request is half-sent at SIGTERM finishes it during the drain.
      const request = (entityId: string) => {
        const b = JSON.stringify({ entityId, label: 'No' });
        return `POST /v1/feedback HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${ADMIN_KEY}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(b)}\r\n\r\n${b}`;
      };
      const rawClient = (text: string, splitAt: number, restAfterMs: number) => {
        const socket = net.connect(port, '127.0.0.1');
        let wire = '';
        socket.on('data', (d) => (wire += d));
        socket.on('error', () => undefined);
        socket.write(text.slice(0, splitAt));
        setTimeout(() => socket.write(text.slice(splitAt)), restAfterMs);
        return new Promise<string>((resolve) => socket.on('close', () => resolve(wire)));
      };
      const slowText = request('slow-during-drain');
      const slow = rawClient(slowText, slowText.length - 10, 2100);
      const late = rawClient(request('arrived-during-drain'), 20, 1300);
      // Eight clients on kept-alive connections posting feedback as fast as they are answered.
      const answers: { status: number; type: string }[] = [];
      let running = true;
      const loop = async (n: number) => {
        for (let i = 0; running; i++) {
          const res = await fetch(`http://127.0.0.1:${port}/v1/feedback`, { method: 'POST', headers, body: JSON.stringify({ entityId: `drain-${n}-${i}`, label: 'Yes' }) }).catch(() => null);
          if (!res) return; // the listener is closed: new connections are refused, as a load balancer expects
          answers.push({ status: res.status, type: res.headers.get('content-type') ?? '' });
          await res.text();
        }
      };
      const loops = Array.from({ length: 8 }, (_, n) => loop(n));
      await new Promise((r) => setTimeout(r, 300));
      const signalled = Date.now();
      svc.child.kill('SIGTERM');
      const code = await svc.exited;
      const [slowWire, lateWire] = await Promise.all([slow, late]);
      running = false;
      await Promise.all(loops);
      expect(code).toBe(0);
      expect(Date.now() - signalled).toBeLessThan(9000); // SHUTDOWN_TIMEOUT_MS: it was not forced
      expect(svc.output().stdout).not.toMatch(/shutdown timed out/);
      expect(svc.output().stdout).toMatch(/"msg":"shut down"/);
      expect(slowWire).toMatch(/^HTTP\/1\.1 201/);
      expect(lateWire).toMatch(/^HTTP\/1\.1 503/);
      expect(lateWire).toMatch(/content-type: application\/problem\+json/i);
      expect(lateWire).toMatch(/connection: close/i);
      expect(lateWire).toContain('"code":"VIGIL_UNAVAILABLE"');
      // Everyone else got an answer or, once the listener was closed, a refused connection.
      expect(answers.length).toBeGreaterThan(0);
      expect(answers.every((a) => a.status === 201 || (a.status === 503 && a.type.startsWith('application/problem+json')))).toBe(true);
      const stored = await db.pool.query("SELECT entity_id FROM ingestion.feedback WHERE entity_id IN ('slow-during-drain', 'arrived-during-drain')");
      expect(stored.rows).toEqual([{ entity_id: 'slow-during-drain' }]);
    });
  });
});

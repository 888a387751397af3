import { spawn } from 'node:child_process';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from './support/database';
import { REPO_ROOT, waitFor } from './support/kafka';

const PORTS = { INFERENCE_PORT: '18180', INGESTION_PORT: '18181', TRAINING_PORT: '18182', MONITORING_PORT: '18183' };

describe('npm start', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  test('brings up the four services, carries feedback from ingestion to monitoring over Kafka, and stops cleanly on SIGTERM', async () => {
    const stack = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'scripts/start.ts')], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...PORTS, DATABASE_URL: db.url, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    stack.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => stack.on('exit', resolve));
    try {
      await waitFor(() => stderr, (s) => s.includes('all services ready') || stack.exitCode !== null, 90_000);
      expect(stderr).toContain('all services ready');
      for (const port of Object.values(PORTS)) expect(stderr).toContain(`http://127.0.0.1:${port}`);
      const key = /admin key \(shown once, keep it\): (\S+)/.exec(stderr)![1];

      for (const port of Object.values(PORTS)) {
        const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
        expect(ready.status).toBe(200);
      }
      const entityId = `stack-${Date.now()}`;
      const posted = await fetch(`http://127.0.0.1:${PORTS.INGESTION_PORT}/v1/feedback`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ entityId, label: 'No', source: 'crm' }),
      });
      expect(posted.status).toBe(201);

      // Monitoring's consumer groups are named per service, not per test database, so after the
      // rest of the suite they resume behind every feedback event earlier tests published (and
      // deduplicate them): minutes of backlog on a loaded 2-core machine, not seconds.
      const rows = await waitFor(
        async () => (await db.pool.query('SELECT label, client_name FROM monitoring.ground_truth WHERE entity_id = $1', [entityId])).rows,
        (r) => r.length > 0,
        180_000,
      );
      expect(rows).toEqual([{ label: 'No', client_name: 'admin' }]);
    } finally {
      stack.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(stderr).toContain('vigil: stopped');
  }, 360_000);
});

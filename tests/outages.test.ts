import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { Pool } from 'pg';
import { REPO_ROOT, waitFor } from './support/kafka';
import { startPrivatePostgres } from './support/private-postgres';
import { outageSeconds, startScoreLoad, type Outcome } from './support/score-load';
import { TELCO_CSV } from './support/shared-data';

/**
 * What production does to a running stack, done to `npm start` with real servers of the test's
 * own: a Postgres server restarted (every backend terminated), the Kafka broker SIGKILLed and
 * started again, and a service process killed. Through all of it a CRM client keeps scoring from
 * 24 loops. Nothing may die, every refusal is a 503 problem+json, every answered score has its
 * audit row, and every audited prediction reaches monitoring exactly once.
 */
const PG_PORT = 55433;
const KAFKA_PORT = '19292';
const PORTS = { INFERENCE_PORT: '18280', INGESTION_PORT: '18281', TRAINING_PORT: '18282', MONITORING_PORT: '18283' };
const base = (port: string) => `http://127.0.0.1:${port}`;
const csvText = readFileSync(TELCO_CSV, 'utf8');
const { Churn: _label, ...customer } = (parse(csvText, { columns: true }) as Record<string, string>[])[0];
// A broker of its own in a fresh data dir: a topic left by an earlier run would hand monitoring
// events of another database (its consumer groups resume where that run stopped).
const KAFKA_DATA_DIR = mkdtempSync(path.join(os.tmpdir(), 'vigil-kafka-'));
const kafkaEnv = { ...process.env, KAFKA_PORT, KAFKA_DATA_DIR };

describe('the stack under a database restart, a broker kill and a crashed service', () => {
  let pg: Awaited<ReturnType<typeof startPrivatePostgres>>;
  let db: Pool;
  let stack: ReturnType<typeof spawn>;
  let stderr = '';
  let key = '';
  const answered: Outcome[] = [];
  const call = (port: string, method: string, url: string, body?: string, type = 'application/json') =>
    fetch(`${base(port)}${url}`, { method, headers: { authorization: `Bearer ${key}`, 'content-type': type }, body });

  beforeAll(async () => {
    pg = await startPrivatePostgres(PG_PORT);
    stack = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'scripts/start.ts')], {
      cwd: REPO_ROOT,
      // No scheduled batch: its scores would keep arriving while the counts below are compared.
      env: { ...kafkaEnv, ...PORTS, DATABASE_URL: pg.url('vigil'), LOG_LEVEL: 'warn', OUTBOX_POLL_MS: '200', CHURN_BATCH_INTERVAL_MS: '0' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    stack.stderr!.on('data', (d) => (stderr += d));
    await waitFor(() => stderr, (s) => s.includes('all services ready') || stack.exitCode !== null, 180_000);
    expect(stderr).toContain('all services ready');
    key = /admin key \(shown once, keep it\): (\S+)/.exec(stderr)![1];
    db = new Pool({ connectionString: pg.url('vigil') });

    const uploaded = await call(PORTS.INGESTION_PORT, 'POST', '/v1/datasets/churn', csvText, 'text/csv');
    const { datasetId } = (await uploaded.json()) as { datasetId: string };
    const queued = await call(PORTS.TRAINING_PORT, 'POST', '/v1/training/jobs', JSON.stringify({ pipeline: 'churn', datasetId }));
    const { jobId } = (await queued.json()) as { jobId: string };
    const job = await waitFor(async () => (await (await call(PORTS.TRAINING_PORT, 'GET', `/v1/training/jobs/${jobId}`)).json()) as { status: string },
      (j) => j.status === 'succeeded' || j.status === 'failed', 120_000);
    expect(job.status).toBe('succeeded');
    expect((await call(PORTS.TRAINING_PORT, 'POST', '/v1/models/churn/versions/1/promote', '{}')).status).toBe(200);
    const live = await waitFor(async () => (await call(PORTS.INFERENCE_PORT, 'POST', '/v1/churn/score', JSON.stringify({ customers: [customer] }))).status, (s) => s === 200, 60_000);
    expect(live).toBe(200);
  }, 420_000);

  afterAll(async () => {
    await db?.end();
    if (stack && stack.exitCode === null) {
      stack.kill('SIGTERM');
      await new Promise((r) => stack.once('exit', r));
    }
    execFileSync('bash', [path.join(REPO_ROOT, 'scripts/kafka'), 'stop'], { env: kafkaEnv });
    rmSync(KAFKA_DATA_DIR, { recursive: true, force: true });
    await pg?.stop();
  }, 120_000);

  const load = () => startScoreLoad({ url: base(PORTS.INFERENCE_PORT), key, customer, loops: 24 });
  const expectOnlyAnswersAndProblems = (outcomes: Outcome[]) => {
    const socketErrors = outcomes.filter((o) => o.status === 0);
    expect(socketErrors).toEqual([]);
    const refusals = outcomes.filter((o) => o.status !== 200);
    expect(refusals.every((o) => o.status === 503 && o.problem)).toBe(true);
  };

  test('a real Postgres restart costs 503 problem+json for a few seconds, kills no process, and every answered score is audited', async () => {
    const traffic = load();
    await new Promise((r) => setTimeout(r, 3000));
    const restartedAt = Date.now();
    await pg.restart();
    // Scores are answered again on their own, without restarting anything.
    await waitFor(() => traffic.outcomes.filter((o) => o.at > Date.now() - 1000), (recent) => recent.length > 20 && recent.every((o) => o.status === 200), 60_000);
    await new Promise((r) => setTimeout(r, 2000));
    const outcomes = await traffic.stop();
    answered.push(...outcomes.filter((o) => o.status === 200));
    const outage = outageSeconds(outcomes, restartedAt);
    process.stderr.write(`postgres restart: ${outcomes.length} requests, ${outcomes.filter((o) => o.status === 503).length} × 503, outage ${outage.toFixed(1)} s\n`);

    expectOnlyAnswersAndProblems(outcomes);
    expect(outcomes.filter((o) => o.at > restartedAt && o.status === 200).length).toBeGreaterThan(0);
    expect(stderr).not.toMatch(/exited unexpectedly/);
    const ids = outcomes.filter((o) => o.status === 200).map((o) => o.predictionId!);
    const audited = await db.query('SELECT count(*)::int AS n FROM inference.predictions WHERE id = ANY($1::uuid[])', [ids]);
    expect(audited.rows[0].n).toBe(ids.length);
    for (const port of Object.values(PORTS)) expect((await fetch(`${base(port)}/readyz`)).status).toBe(200);
  }, 180_000);

  test('a broker SIGKILLed under load and started again loses no event and applies none twice', async () => {
    const pid = Number(readFileSync(path.join(KAFKA_DATA_DIR, 'kafka.pid'), 'utf8'));
    const traffic = load();
    await new Promise((r) => setTimeout(r, 2000));
    process.kill(pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 15_000));
    execFileSync('bash', [path.join(REPO_ROOT, 'scripts/kafka'), 'start'], { env: kafkaEnv });
    await new Promise((r) => setTimeout(r, 5000));
    const outcomes = await traffic.stop();
    answered.push(...outcomes.filter((o) => o.status === 200));
    process.stderr.write(`broker kill: ${outcomes.length} requests, ${outcomes.filter((o) => o.status !== 200).length} refused\n`);

    expectOnlyAnswersAndProblems(outcomes);
    expect(stderr).not.toMatch(/exited unexpectedly/);
    // Every audited prediction (both tests' traffic) reaches monitoring once: the minute counters
    // only count rows the consumer inserted, so a duplicate delivery applied twice would show.
    // Compared at one moment, once monitoring has caught up: the audit and monitoring hold the
    // same prediction ids, neither side has one the other lacks.
    const counts = async () => (await db.query(
      `SELECT (SELECT count(*) FROM inference.predictions WHERE model_name = 'churn')::int AS audited,
              (SELECT count(*) FROM monitoring.predictions WHERE model_name = 'churn')::int AS seen,
              (SELECT count(*) FROM inference.predictions i WHERE i.model_name = 'churn'
                  AND NOT EXISTS (SELECT 1 FROM monitoring.predictions m WHERE m.prediction_id = i.id))::int AS missing,
              (SELECT sum(predictions) FROM monitoring.prediction_minutes WHERE model_name = 'churn')::int AS counted`,
    )).rows[0] as { audited: number; seen: number; missing: number; counted: number };
    const final = await waitFor(counts, (c) => c.missing === 0 && c.seen === c.audited, 180_000);
    expect(final.audited).toBeGreaterThanOrEqual(answered.length);
    expect(final).toEqual({ audited: final.audited, seen: final.audited, missing: 0, counted: final.audited });
  }, 300_000);

  test('npm start restarts a service that was killed, with its reason, and the others keep serving', async () => {
    const children = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(stack.pid)], { encoding: 'utf8' });
    const monitoring = Number(/^\s*(\d+) .*services\/monitoring\/src\/main\.ts/m.exec(children)![1]);
    process.kill(monitoring, 'SIGKILL');
    await waitFor(() => stderr, (s) => /monitoring is back/.test(s), 90_000);
    expect(stderr).toMatch(/monitoring exited unexpectedly \(signal SIGKILL\); restarting it in 1 s/);
    expect(stack.exitCode).toBeNull();
    expect((await fetch(`${base(PORTS.MONITORING_PORT)}/readyz`)).status).toBe(200);
    expect((await call(PORTS.INFERENCE_PORT, 'POST', '/v1/churn/score', JSON.stringify({ customers: [customer] }))).status).toBe(200);
  }, 120_000);
});

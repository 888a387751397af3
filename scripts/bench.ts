/**
 * `npm run bench`: the churn targets of issue 3, measured on this machine against the real services
 * (own database `vigil_bench`, the local Kafka broker), printed as JSON:
 *   - holdout quality and training time (the training job's own report),
 *   - single-row POST /v1/churn/score with audit, 64 connections: requests/s and p99,
 *   - 1,000-row requests: rows/s.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { parse } from 'csv-parse/sync';
import { Client } from 'pg';
import { createApiKeyStore, createPool, migrateAll } from '@vigil/common';

const ROOT = path.resolve(__dirname, '..');
const CSV = process.env.VIGIL_SHARED_DATA ? path.join(process.env.VIGIL_SHARED_DATA, 'telco-churn/telco-churn-train.csv') : path.resolve(ROOT, '../shared/data/telco-churn/telco-churn-train.csv');
const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const DB_URL = 'postgres://postgres@127.0.0.1:5432/vigil_bench';
const PORTS = { ingestion: 19281, training: 19282, inference: 19280 };
const DURATION_S = Number(process.env.BENCH_SECONDS || 15);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
const json = (r: Response): Promise<Json> => r.json();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function resetDatabase(): Promise<void> {
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query('DROP DATABASE IF EXISTS vigil_bench WITH (FORCE)');
  await admin.end();
  await migrateAll({ databaseUrl: DB_URL });
}

function startService(name: keyof typeof PORTS, modelDir: string): ChildProcess {
  // BENCH_PROFILE=<dir> writes a CPU profile of the inference service there (open in Chrome DevTools).
  const profile = process.env.BENCH_PROFILE && name === 'inference' ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  return spawn(process.execPath, [...profile, '--import', 'tsx', path.join(ROOT, `services/${name}/src/main.ts`)], {
    cwd: ROOT,
    // No scheduled batch: it would score 5,634 customers in the middle of the measurement.
    env: { ...process.env, DATABASE_URL: DB_URL, PORT: String(PORTS[name]), MODEL_REPOSITORY: modelDir, LOG_LEVEL: 'warn', CHURN_BATCH_INTERVAL_MS: '0' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined as T);
    if (v !== undefined && ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

async function main(): Promise<void> {
  if (spawnSync('bash', [path.join(ROOT, 'scripts/kafka'), 'start'], { stdio: 'inherit' }).status !== 0) throw new Error('Kafka did not start');
  await resetDatabase();
  const pool = createPool({ connectionString: DB_URL, applicationName: 'bench' });
  const { key } = await createApiKeyStore(pool).create('bench', ['*']);
  await pool.end();
  const auth = { authorization: `Bearer ${key}` };
  const modelDir = mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-models-'));
  const children = (['ingestion', 'training', 'inference'] as const).map((n) => startService(n, modelDir));
  try {
    for (const [name, port] of Object.entries(PORTS)) await until(() => fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status), (s) => s === 200, `${name} ready`);
    const url = (svc: keyof typeof PORTS, p: string) => `http://127.0.0.1:${PORTS[svc]}${p}`;
    const csv = readFileSync(CSV);
    const uploaded = await json(await fetch(url('ingestion', '/v1/datasets/churn'), { method: 'POST', headers: { ...auth, 'content-type': 'text/csv' }, body: csv }));
    const queued = await json(await fetch(url('training', '/v1/training/jobs'), {
      method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ pipeline: 'churn', datasetId: uploaded.datasetId }),
    }));
    const job = await until(() => fetch(url('training', `/v1/training/jobs/${queued.jobId}`), { headers: auth }).then(json), (j: Json) => j.status === 'succeeded' || j.status === 'failed', 'training');
    if (job.status !== 'succeeded') throw new Error(`training failed: ${job.error}`);
    await fetch(url('training', `/v1/models/churn/versions/${job.model.version}/promote`), { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{}' });
    await until(() => fetch(url('inference', '/v2/models/churn/ready')).then((r) => r.status), (s) => s === 200, 'model live');

    const rows = (parse(csv, { columns: true }) as Record<string, string>[]).map(({ Churn: _c, ...r }) => r);
    const post = (customers: unknown[], connections: number) =>
      autocannon({
        url: url('inference', '/v1/churn/score'), method: 'POST', connections, duration: DURATION_S,
        headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ customers }),
      });
    await post([rows[0]], 16).then(() => undefined); // warm-up: JIT, pools, onnxruntime
    const phases = async () => {
      const text = await (await fetch(url('inference', '/metrics'))).text();
      const sum = (name: string) => text.split('\n').filter((l) => l.startsWith(name)).reduce((a, l) => a + Number(l.split(' ').pop()), 0);
      return { requests: sum('nv_inference_request_success{'), requestUs: sum('nv_inference_request_duration_us{'), computeUs: sum('nv_inference_compute_infer_duration_us{'), auditS: sum('vigil_inference_audit_duration_seconds_sum') };
    };
    // Mean time per request inside the inference path, from the service's own metrics.
    const phaseDelta = (a: Json, b: Json) => {
      const n = b.requests - a.requests;
      return { meanInferenceMs: (b.requestUs - a.requestUs) / n / 1000, meanComputeMs: (b.computeUs - a.computeUs) / n / 1000, meanAuditMs: ((b.auditS - a.auditS) / n) * 1000 };
    };
    const p0 = await phases();
    const single = await post([rows[0]], 64);
    const p1 = await phases();
    const batch = await post(rows.slice(0, 1000), 8);
    const p2 = await phases();
    console.log(JSON.stringify({
      machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.cpus()[0].model}`,
      training: {
        chosen: job.metrics.modelKind, holdoutRocAuc: job.metrics.rocAuc, holdoutPrAuc: job.metrics.prAuc, baselineRocAuc: job.metrics.baseline?.rocAuc,
        trainingTimeMs: job.metrics.trainingTimeMs, jobWallMs: new Date(job.finishedAt).getTime() - new Date(job.startedAt).getTime(),
      },
      singleRow: { connections: 64, requestsPerSec: single.requests.average, p50ms: single.latency.p50, p99ms: single.latency.p99, non2xx: single.non2xx, errors: single.errors, ...phaseDelta(p0, p1) },
      thousandRows: { connections: 8, requestsPerSec: batch.requests.average, rowsPerSec: batch.requests.average * 1000, p99ms: batch.latency.p99, non2xx: batch.non2xx, ...phaseDelta(p1, p2) },
    }, null, 2));
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await sleep(2000);
  }
}

main().catch((err: Error) => {
  console.error(`bench: ${err.message}`);
  process.exit(1);
});

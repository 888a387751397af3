/**
 * `npm run bench`: the serving targets, measured on this machine against the real services (own
 * database `vigil_bench`, the local Kafka broker), printed as JSON. BENCH_SCENARIOS picks the
 * scenarios (default `churn,xray`); BENCH_SECONDS the length of each measurement (default 15).
 *
 * churn (issue 3):
 *   - holdout quality and training time (the training job's own report),
 *   - single-row POST /v1/churn/score with audit, 64 connections: requests/s and p99,
 *   - 1,000-row requests: rows/s.
 * xray: trains xray-pneumonia and xray-type on a small sample of the X-ray set through the
 * services, promotes both, then POST /v1/xray/predict with audit:
 *   - 224×224 JPEGs from the set, 8 connections: images/s, p50/p99,
 *   - the 1024×1024 chest DICOM, one connection: median and p99.
 * byom: a registered skl2onnx-style LogisticRegression (ZipMap rewritten), POST /v1/models/{name}/predict
 * with audit: 1 row at 64 connections and 1,000 rows at 8, as for churn (run it with churn to compare).
 * Each measurement also reports the service's own mean phase times (queue = decode + batching wait,
 * compute, audit) from /metrics.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { parse } from 'csv-parse/sync';
import { Client } from 'pg';
import { createApiKeyStore, createPool, migrateAll } from '@vigil/common';
import { DICOM_DIR, XRAY_DIR } from '../tests/support/shared-data';
import { logisticRegression, modelForm } from '../tests/support/sklearn-style-models';
import { imageForm, xrayManifest, xraySample, xrayTar } from '../tests/support/xray-fixtures';

const ROOT = path.resolve(__dirname, '..');
const CSV = process.env.VIGIL_SHARED_DATA ? path.join(process.env.VIGIL_SHARED_DATA, 'telco-churn/telco-churn-train.csv') : path.resolve(ROOT, '../shared/data/telco-churn/telco-churn-train.csv');
const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const DB_URL = 'postgres://postgres@127.0.0.1:5432/vigil_bench';
const PORTS = { ingestion: 19281, training: 19282, inference: 19280 };
const DURATION_S = Number(process.env.BENCH_SECONDS || 15);
const SCENARIOS = new Set((process.env.BENCH_SCENARIOS || 'churn,byom,xray').split(',').map((s) => s.trim()).filter(Boolean));
const XRAY = { trainPerSubtype: 40, images: 64, connections: 8, dicom: 'nhsx_NIH-CXR14_chest_DX_SC_implicitLE.dcm' };

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

const url = (svc: keyof typeof PORTS, p: string) => `http://127.0.0.1:${PORTS[svc]}${p}`;

/** The inference service's own counters (optionally one model's), summed over label sets. */
async function phases(model?: string): Promise<Json> {
  const text = await (await fetch(url('inference', '/metrics'))).text();
  const label = model ? `model="${model}"` : '';
  const sum = (name: string) => text.split('\n').filter((l) => l.startsWith(name) && l.includes(label)).reduce((a, l) => a + Number(l.split(' ').pop()), 0);
  return {
    requests: sum('nv_inference_request_success{'), requestUs: sum('nv_inference_request_duration_us{'), queueUs: sum('nv_inference_queue_duration_us{'),
    computeUs: sum('nv_inference_compute_infer_duration_us{'), auditS: sum('vigil_inference_audit_duration_seconds_sum'),
  };
}

/** Mean time per request inside the inference path, from the service's own metrics. */
function phaseDelta(a: Json, b: Json): Json {
  const n = b.requests - a.requests;
  return {
    meanInferenceMs: (b.requestUs - a.requestUs) / n / 1000, meanQueueMs: (b.queueUs - a.queueUs) / n / 1000,
    meanComputeMs: (b.computeUs - a.computeUs) / n / 1000, meanAuditMs: ((b.auditS - a.auditS) / n) * 1000,
  };
}

async function churnScenario(auth: Record<string, string>): Promise<Json> {
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
  const p0 = await phases();
  const single = await post([rows[0]], 64);
  const p1 = await phases();
  const batch = await post(rows.slice(0, 1000), 8);
  const p2 = await phases();
  return {
    training: {
      chosen: job.metrics.modelKind, holdoutRocAuc: job.metrics.rocAuc, holdoutPrAuc: job.metrics.prAuc, baselineRocAuc: job.metrics.baseline?.rocAuc,
      trainingTimeMs: job.metrics.trainingTimeMs, jobWallMs: new Date(job.finishedAt).getTime() - new Date(job.startedAt).getTime(),
    },
    singleRow: { connections: 64, requestsPerSec: single.requests.average, p50ms: single.latency.p50, p99ms: single.latency.p99, non2xx: single.non2xx, errors: single.errors, ...phaseDelta(p0, p1) },
    thousandRows: { connections: 8, requestsPerSec: batch.requests.average, rowsPerSec: batch.requests.average * 1000, p99ms: batch.latency.p99, non2xx: batch.non2xx, ...phaseDelta(p1, p2) },
  };
}

/** A registered model served by its task: the generic predict endpoint under the same load as churn's. */
async function byomScenario(auth: Record<string, string>): Promise<Json> {
  const form = modelForm(logisticRegression.onnx, { task: 'binary-classification', classes: [0, 1] });
  const registered = await json(await fetch(url('training', '/v1/models/bench-lr/versions'), { method: 'POST', headers: { ...auth, 'content-type': form.contentType }, body: form.body }));
  await fetch(url('training', `/v1/models/bench-lr/versions/${registered.version}/promote`), {
    method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ force: true, reason: 'bench' }),
  });
  await until(() => fetch(url('inference', '/v2/models/bench-lr/ready')).then((r) => r.status), (s) => s === 200, 'registered model live');
  const instances = Array.from({ length: 1000 }, (_, i) => ({ float_input: [(i % 7) / 7, (i % 5) / 5 - 0.5, (i % 3) - 1] }));
  const post = (rows: unknown[], connections: number) =>
    autocannon({
      url: url('inference', '/v1/models/bench-lr/predict'), method: 'POST', connections, duration: DURATION_S,
      headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ instances: rows }),
    });
  await post(instances.slice(0, 1), 16); // warm-up
  const p0 = await phases('bench-lr');
  const single = await post(instances.slice(0, 1), 64);
  const p1 = await phases('bench-lr');
  const batch = await post(instances, 8);
  const p2 = await phases('bench-lr');
  return {
    singleRow: { connections: 64, requestsPerSec: single.requests.average, p50ms: single.latency.p50, p99ms: single.latency.p99, non2xx: single.non2xx, errors: single.errors, ...phaseDelta(p0, p1) },
    thousandRows: { connections: 8, requestsPerSec: batch.requests.average, rowsPerSec: batch.requests.average * 1000, p99ms: batch.latency.p99, non2xx: batch.non2xx, ...phaseDelta(p1, p2) },
  };
}

/** multipart/form-data requests posting each image to /v1/xray/predict, for autocannon to cycle through. */
function xrayRequests(images: Buffer[], auth: Record<string, string>) {
  return images.map((image) => {
    const form = imageForm(image);
    return { method: 'POST' as const, path: '/v1/xray/predict', headers: { ...auth, 'content-type': form.contentType }, body: form.body };
  });
}

async function xrayScenario(auth: Record<string, string>): Promise<Json> {
  const post = (path: string, body: unknown, contentType = 'application/json') =>
    fetch(url(path.startsWith('/v1/datasets') ? 'ingestion' : 'training', path), {
      method: 'POST', headers: { ...auth, 'content-type': contentType }, body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
    }).then(json);
  const sample = xraySample(XRAY.trainPerSubtype);
  const uploaded = await post('/v1/datasets/xray', await xrayTar(sample), 'application/x-tar');
  if (!uploaded.datasetId) throw new Error(`xray dataset refused: ${JSON.stringify(uploaded)}`);
  const queued = await post('/v1/training/jobs', { pipeline: 'xray', datasetId: uploaded.datasetId });
  const job = await until(() => fetch(url('training', `/v1/training/jobs/${queued.jobId}`), { headers: auth }).then(json), (j: Json) => j.status === 'succeeded' || j.status === 'failed', 'xray training', 600_000);
  if (job.status !== 'succeeded') throw new Error(`xray training failed: ${job.error}`);
  for (const m of job.models as { name: string; version: number }[]) {
    await post(`/v1/models/${m.name}/versions/${m.version}/promote`, {});
    await until(() => fetch(url('inference', `/v2/models/${m.name}/ready`)).then((r) => r.status), (s) => s === 200, `${m.name} live`);
  }

  // Images the models were not trained on, so both stages run as they would on new patients.
  const trained = new Set(sample.map((r) => r.path));
  const jpegs = xrayManifest().filter((r) => !trained.has(r.path)).filter((_, i) => i % 40 === 0).slice(0, XRAY.images);
  const jpegRequests = xrayRequests(jpegs.map((r) => readFileSync(path.join(XRAY_DIR, r.path))), auth);
  const dicomRequests = xrayRequests([readFileSync(path.join(DICOM_DIR, XRAY.dicom))], auth);
  const run = (requests: ReturnType<typeof xrayRequests>, connections: number, duration = DURATION_S) =>
    autocannon({ url: url('inference', '/'), connections, duration, requests });
  await run(jpegRequests, XRAY.connections, 3); // warm-up: JIT, pools, onnxruntime's first runs
  const p0 = await phases('xray-pneumonia');
  const jpeg = await run(jpegRequests, XRAY.connections);
  const p1 = await phases('xray-pneumonia');
  await run(dicomRequests, 1, 2);
  const p2 = await phases('xray-pneumonia');
  const dicom = await run(dicomRequests, 1);
  const p3 = await phases('xray-pneumonia');
  const pneumonia = job.metrics['xray-pneumonia'];
  return {
    training: {
      images: sample.length, jobWallMs: new Date(job.finishedAt).getTime() - new Date(job.startedAt).getTime(), trainingTimeMs: pneumonia.trainingTimeMs,
      pneumonia: { testRecall: pneumonia.recall, testSpecificity: pneumonia.specificity, head: pneumonia.hyperParameters },
    },
    jpeg224: {
      connections: XRAY.connections, distinctImages: jpegs.length, imagesPerSec: jpeg['2xx'] / jpeg.duration, requestsPerSecMean: jpeg.requests.average,
      p50ms: jpeg.latency.p50, p99ms: jpeg.latency.p99, non2xx: jpeg.non2xx, errors: jpeg.errors, ...phaseDelta(p0, p1),
      target: '>= 40 images/s, p99 <= 500 ms',
    },
    dicom1024: {
      connections: 1, file: XRAY.dicom, requests: dicom['2xx'], medianMs: dicom.latency.p50, p99ms: dicom.latency.p99, meanMs: dicom.latency.mean,
      non2xx: dicom.non2xx, errors: dicom.errors, ...phaseDelta(p2, p3), target: 'median <= 150 ms',
    },
  };
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
    const report: Json = { machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.cpus()[0].model}`, loadAverage: os.loadavg() };
    if (SCENARIOS.has('churn')) Object.assign(report, await churnScenario(auth));
    if (SCENARIOS.has('byom')) report.byom = await byomScenario(auth);
    if (SCENARIOS.has('xray')) report.xray = await xrayScenario(auth);
    report.loadAverageAfter = os.loadavg();
    console.log(JSON.stringify(report, null, 2));
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await sleep(2000);
  }
}

main().catch((err: Error) => {
  console.error(`bench: ${err.message}`);
  process.exit(1);
});

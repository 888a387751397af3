import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { createApiKeyStore, type VigilApp } from '@vigil/common';
import { startChurnStack } from './support/churn-stack';
import { startMonitoringStack } from './support/monitoring-stack';
import { createTestDatabase, type TestDatabase } from './support/database';
import { REPO_ROOT, testBus, waitFor } from './support/kafka';
import { TELCO_CSV } from './support/shared-data';

/** Debian's prometheus package; the test fails, not skips, without it (.ci/run installs it). */
const PROMETHEUS = process.env.PROMETHEUS_BIN || '/usr/bin/prometheus';

type Row = Record<string, string>;
type Stack = Awaited<ReturnType<typeof startChurnStack>>;

const customers = (parse(readFileSync(TELCO_CSV, 'utf8'), { columns: true }) as Row[]).slice(0, 2).map(({ Churn: _label, ...rest }) => rest);

/** Three scoring requests of two customers each: Triton's success counter of the churn model counts 3. */
async function score(stack: Stack, key: string): Promise<{ predictionId: string; churn: boolean }[]> {
  const url = `http://127.0.0.1:${portOf(stack.inference)}/v1/churn/score`;
  const scored: { predictionId: string; churn: boolean }[] = [];
  for (let i = 0; i < 3; i++) {
    const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ customers }) });
    expect(res.status).toBe(200);
    scored.push(...((await res.json()) as { predictions: { predictionId: string; churn: boolean }[] }).predictions);
  }
  return scored;
}

const portOf = (app: VigilApp) => (app.server.address() as AddressInfo).port;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('Prometheus scraping the Vigil services', () => {
  let db: TestDatabase;
  let stack: Stack;
  let monitoring: Awaited<ReturnType<typeof startMonitoringStack>>;
  let prometheus: ChildProcess | undefined;
  let promUrl = '';
  let promLog = '';
  let key = '';
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-prometheus-'));
  const bus = testBus();
  const admin = bus.admin();

  /** An instant query's vector, [] while the series does not exist yet. */
  async function query(promql: string): Promise<{ metric: Record<string, string>; value: number }[]> {
    const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const body = (await res.json()) as { status: string; error?: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
    if (body.status !== 'success') throw new Error(`${promql}: ${body.error}`);
    return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  }

  beforeAll(async () => {
    if (!existsSync(PROMETHEUS)) throw new Error(`${PROMETHEUS} not found: install Debian's prometheus package (apt-get install prometheus)`);
    db = await createTestDatabase();
    stack = await startChurnStack({ pool: db.pool, inferencePool: db.pool, bus, admin });
    monitoring = await startMonitoringStack({ pool: db.pool, inferencePool: db.pool, bus, admin });
    key = (await createApiKeyStore(db.pool).create('prometheus-test', ['*'])).key;
    const apps = { inference: stack.inference, ingestion: stack.ingestion, training: stack.training, monitoring: monitoring.app };
    for (const app of Object.values(apps)) await app.listen({ port: 0, host: '127.0.0.1' });

    // The project's own rules ride along, so a real Prometheus also loads and evaluates them.
    const config = {
      global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
      rule_files: [path.join(REPO_ROOT, 'deploy/prometheus/rules/*.yml')],
      scrape_configs: [{
        job_name: 'vigil',
        static_configs: Object.entries(apps).map(([service, app]) => ({ targets: [`127.0.0.1:${portOf(app)}`], labels: { vigil_service: service } })),
      }],
    };
    writeFileSync(path.join(dir, 'prometheus.yml'), JSON.stringify(config)); // JSON is YAML
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    prometheus = spawn(PROMETHEUS, [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    prometheus.stderr!.on('data', (d) => (promLog += d));
    const ready = await waitFor(() => fetch(`${promUrl}/-/ready`).then((r) => r.status, () => 0), (s) => s === 200 || prometheus!.exitCode !== null, 30_000);
    if (ready !== 200) throw new Error(`Prometheus did not become ready:\n${promLog}`);
  });

  afterAll(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((resolve) => prometheus!.once('exit', resolve));
      prometheus.kill('SIGTERM');
      const timer = setTimeout(() => prometheus!.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await monitoring?.close();
    await stack?.close();
    await admin.close();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('scrapes every service and loads the alerting rules, which evaluate without errors', async () => {
    const up = await waitFor(() => query('up{job="vigil"}'), (r) => r.length === 4 && r.every((s) => s.value === 1));
    expect(up.map((s) => [s.metric.vigil_service, s.value]).sort()).toEqual([['inference', 1], ['ingestion', 1], ['monitoring', 1], ['training', 1]]);
    // vigil_http_requests_total carries the service's own label (the registry's default label).
    const scrapes = await waitFor(() => query('sum by (service) (vigil_http_requests_total{route="/metrics"})'), (r) => r.length === 4);
    expect(scrapes.map((s) => s.metric.service).sort()).toEqual(['inference', 'ingestion', 'monitoring', 'training']);

    type Rule = { name: string; health: string; lastError?: string };
    const rules = await waitFor(
      async () => ((await (await fetch(`${promUrl}/api/v1/rules`)).json()) as { data: { groups: { rules: Rule[] }[] } }).data.groups.flatMap((g) => g.rules),
      (r) => r.length > 0 && r.every((rule) => rule.health === 'ok'),
    );
    expect(rules.map((r) => r.name)).toEqual(expect.arrayContaining(['VigilServiceDown', 'VigilHighErrorRate', 'VigilHighLatencyP99', 'VigilPneumoniaRecallBelowPolicy', 'VigilFeatureDrift']));
    expect(rules.filter((r) => r.health !== 'ok')).toEqual([]);
  });

  test('model metrics the services count are what PromQL returns from Prometheus: Triton\'s counters, and monitoring\'s quality once labels arrive', async () => {
    // upload → train → promote, as in churn-e2e, then the probe's own traffic.
    const call = async (app: VigilApp, method: 'GET' | 'POST', url: string, payload?: unknown, contentType = 'application/json') =>
      app.inject({ method, url, headers: { authorization: `Bearer ${key}`, 'content-type': contentType }, payload: payload as string });
    const uploaded = await call(stack.ingestion, 'POST', '/v1/datasets/churn', readFileSync(TELCO_CSV, 'utf8'), 'text/csv');
    expect(uploaded.statusCode).toBe(201);
    const queued = await call(stack.training, 'POST', '/v1/training/jobs', { pipeline: 'churn', datasetId: uploaded.json().datasetId });
    const job = await waitFor(
      async () => (await call(stack.training, 'GET', `/v1/training/jobs/${queued.json().jobId}`)).json(),
      (j) => j.status === 'succeeded' || j.status === 'failed',
      120_000,
    );
    expect(job.status).toBe('succeeded');
    expect((await call(stack.training, 'POST', `/v1/models/churn/versions/${job.model.version}/promote`, {})).statusCode).toBe(200);
    expect(await waitFor(() => stack.live.get('churn')?.ref.version, (v) => v === job.model.version)).toBe(1);

    const scored = await score(stack, key);
    const success = 'sum(nv_inference_request_success{job="vigil", vigil_service="inference", model="churn", version="1"})';
    expect((await waitFor(() => query(success), (r) => r[0]?.value === 3)).map((r) => r.value)).toEqual([3]);

    // The six predictions reach monitoring as PredictionMade events; labels for them go to its POST /v1/feedback.
    const series = (name: string, extra = '') => `${name}{job="vigil", vigil_service="monitoring", model="churn", version="1", window="1h"${extra}}`;
    expect((await waitFor(() => query(series('vigil_model_predictions')), (r) => r[0]?.value === 6)).map((r) => r.value)).toEqual([6]);
    const items = scored.map((p, i) => ({ predictionId: p.predictionId, label: i % 2 === 0 }));
    const feedback = await call(monitoring.app, 'POST', '/v1/feedback', { items });
    expect(feedback.json()).toMatchObject({ accepted: 6, unknown: [], rejected: [] });
    expect((await waitFor(() => query(series('vigil_model_labelled')), (r) => r[0]?.value === 6)).map((r) => r.value)).toEqual([6]);
    // What the model answered and what the labels say, computed here, against what Prometheus holds.
    const positiveRate = scored.filter((p) => p.churn).length / scored.length;
    const accuracy = scored.filter((p, i) => p.churn === items[i].label).length / scored.length;
    const quality = await waitFor(
      () => query(series('vigil_model_quality', ', metric=~"positive_rate|accuracy"')),
      (r) => r.length === 2,
    );
    const held = Object.fromEntries(quality.map((r) => [r.metric.metric, r.value]));
    expect(held.positive_rate).toBeCloseTo(positiveRate, 9);
    expect(held.accuracy).toBeCloseTo(accuracy, 9);
  });
});

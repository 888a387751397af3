/**
 * `npx tsx scripts/bench-monitoring.ts`: the monitoring targets of issue 5, measured on this machine
 * against the real broker and Postgres (own database `vigil_bench_monitoring`, own topic, deleted
 * afterwards), printed as JSON. Monitoring runs in this process wired as main.ts wires it: the
 * batch prediction consumer, the quality refresher (MONITORING_REFRESH_MS 2000, windows
 * 1h,1d,7d) and the HTTP app listening on a port.
 *   - backlog: BENCH_EVENTS (100,000) real PredictionMade events published first, then consumed:
 *     events/s until all are stored (from the consumer's start, group join included, and from
 *     the first stored row);
 *   - sustained: BENCH_RATE (5,000) events/s published for BENCH_SECONDS (20) by a child process
 *     while consuming: the largest backlog seen (published, not yet stored) and the time to drain
 *     after the last publish;
 *   - label latency: BENCH_LABELS (200) labels posted one after another to POST /v1/feedback;
 *     for each, the time until it shows in GET /v1/monitoring/models/{name}/performance and in
 *     vigil_model_labelled on /metrics: p50, p99, max.
 * Events are keyed by model name, as inference keys them: one model's events share a partition.
 * The mix is 60% churn, 30% pneumonia, 10% type (three partitions); BENCH_MIX=churn sends churn
 * only, the one-partition case (a churn batch job).
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import os from 'node:os';
import { createInterface } from 'node:readline';
import { Kafka, logLevel } from 'kafkajs';
import pino from 'pino';
import { Client } from 'pg';
import {
  allTopicSpecs, createApiKeyStore, createBatchInboxConsumer, createKafkaBus, createMetricsRegistry, createPool, encodeEvent, migrateAll, newMeta,
  pingPostgres, TOPICS, type EventInit, type OutgoingMessage,
} from '@vigil/common';
import { createQualityMetrics } from '../services/monitoring/src/adapters/metrics/quality-metrics';
import { createAlertStore } from '../services/monitoring/src/adapters/postgres/alert-store';
import { createFeedbackWriter } from '../services/monitoring/src/adapters/postgres/feedback-writer';
import { createPredictionStore } from '../services/monitoring/src/adapters/postgres/prediction-store';
import { createQualityReader } from '../services/monitoring/src/adapters/postgres/quality-reader';
import { createTaskConfigs } from '../services/monitoring/src/adapters/postgres/task-configs';
import { buildApp } from '../services/monitoring/src/app';
import { handlePredictionsMade } from '../services/monitoring/src/consumers/prediction-made';
import { parseWindows } from '../services/monitoring/src/domain/windows';
import { createQualityRefresh } from '../services/monitoring/src/jobs/quality-refresh';

const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const DB_URL = 'postgres://postgres@127.0.0.1:5432/vigil_bench_monitoring';
const BROKERS = (process.env.KAFKA_BROKERS || '127.0.0.1:19092').split(',');
const EVENTS = Number(process.env.BENCH_EVENTS || 100_000);
const RATE = Number(process.env.BENCH_RATE || 5_000);
const SECONDS = Number(process.env.BENCH_SECONDS || 20);
const LABELS = Number(process.env.BENCH_LABELS || 200);
const REFRESH_MS = 2000;
const TICK_MS = 100;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
const summary = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return { n: s.length, p50ms: Math.round(quantile(s, 0.5)), p99ms: Math.round(quantile(s, 0.99)), maxms: Math.round(s[s.length - 1]) };
};

/** A mix like inference's: churn scores (with the customer), pneumonia results, and type results for the positives. */
function events(topic: string, n: number): OutgoingMessage[] {
  const out: OutgoingMessage[] = [];
  for (let i = 0; i < n; i++) {
    const meta = newMeta('inference');
    const p = Math.random();
    const kind = process.env.BENCH_MIX === 'churn' ? 0 : i % 10;
    const common = { meta, predictionId: randomUUID(), modelSha256: 'ab'.repeat(32), inputSha256: 'cd'.repeat(32), score: p, latencyMs: 2, clientName: 'bench' };
    const event: EventInit<typeof TOPICS.predictionMade> =
      kind < 6
        ? { ...common, modelName: 'churn', modelVersion: '1', label: p >= 0.5 ? 'churn' : 'no-churn', output: { probability: p, churn: p >= 0.5 }, entityId: `C-${i}` }
        : kind < 9
          ? { ...common, modelName: 'xray-pneumonia', modelVersion: '1', label: '', output: { probability: p, positive: p >= 0.5, threshold: 0.5, confidence: 'high', type: null }, entityId: `S-${i}` }
          : { ...common, modelName: 'xray-type', modelVersion: '1', label: '', output: { label: p >= 0.5 ? 'bacterial' : 'viral', probability: Math.max(p, 1 - p), confidence: 'high' } };
    out.push({ topic, key: event.modelName ?? '', value: Buffer.from(encodeEvent(TOPICS.predictionMade, event)), headers: { 'vigil-event-id': meta.eventId, 'vigil-producer': 'inference' } });
  }
  return out;
}

/** The child of the sustained phase: RATE events/s to BENCH_PUBLISH_TO for SECONDS, reporting progress on stdout. */
async function publish(topic: string): Promise<void> {
  const bus = createKafkaBus({ brokers: BROKERS, clientId: 'bench-monitoring-publisher', logger: pino({ level: 'warn' }) });
  const producer = bus.producer();
  const perTick = Math.round((RATE * TICK_MS) / 1000);
  const ticks = (SECONDS * 1000) / TICK_MS;
  const pregenerated = events(topic, perTick * ticks);
  const t0 = performance.now();
  for (let tick = 0; tick < ticks; tick++) {
    const due = t0 + tick * TICK_MS;
    if (performance.now() < due) await sleep(due - performance.now());
    await producer.send(pregenerated.slice(tick * perTick, (tick + 1) * perTick));
    process.stdout.write(`published ${(tick + 1) * perTick}\n`);
  }
  await producer.close();
}

async function main(): Promise<void> {
  // Other work on the machine (tests, builds) shares the CPUs with Postgres, Kafka and this process.
  const loadAtStart = os.loadavg().map((l) => Math.round(l * 10) / 10);
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query('DROP DATABASE IF EXISTS vigil_bench_monitoring WITH (FORCE)');
  await admin.end();
  await migrateAll({ databaseUrl: DB_URL });

  const logger = pino({ level: 'warn' });
  const pool = createPool({ connectionString: DB_URL, applicationName: 'bench-monitoring', role: 'vigil_monitoring' });
  const bus = createKafkaBus({ brokers: BROKERS, clientId: 'bench-monitoring', logger });
  const producer = bus.producer();
  const kafkaAdmin = bus.admin();
  const topic = `vigil.bench.prediction.made.${randomBytes(4).toString('hex')}`;
  await kafkaAdmin.ensureTopics([...allTopicSpecs(), { topic, partitions: 3 }, { topic: `${topic}.dlq`, partitions: 1 }]);
  const stored = async () => (await pool.query('SELECT count(*)::int AS n FROM monitoring.predictions')).rows[0].n as number;

  const registry = createMetricsRegistry('monitoring');
  const windows = parseWindows('1h,1d,7d');
  const reader = createQualityReader(pool);
  const refresh = createQualityRefresh({ reader, pending: createPredictionStore(pool), windows, observer: createQualityMetrics(registry), logger, pollMs: REFRESH_MS });
  const writer = createFeedbackWriter(pool, { onCommitted: () => refresh.kick() });
  const app = await buildApp({
    logger, metrics: registry, apiKeys: createApiKeyStore(pool), readiness: { postgres: () => pingPostgres(pool), kafka: () => kafkaAdmin.ping() },
    alerts: createAlertStore(pool), feedback: { tasks: createTaskConfigs(pool), writer, now: () => new Date(), churnWindowMs: 90 * 86_400_000 }, performance: { tasks: createTaskConfigs(pool), reader, defaultWindow: windows[2] },
  });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const { key } = await createApiKeyStore(pool).create('bench', ['feedback:write', 'monitoring:read']);
  const auth = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  const consumer = createBatchInboxConsumer({
    pool, schema: 'monitoring', name: 'bench.monitoring.prediction-made', consumer: bus.batchConsumer({ groupId: `bench.${topic}` }), producer, logger,
  });

  try {
    // 1. Backlog. Batch sizes and the time their handler took (decode + INSERT) are recorded too.
    const batches: { size: number; ms: number }[] = [];
    const backlog = events(topic, EVENTS);
    const p0 = performance.now();
    // 1,000 a request: a record batch must stay under the broker's message.max.bytes (1 MiB).
    for (let i = 0; i < backlog.length; i += 1000) await producer.send(backlog.slice(i, i + 1000));
    const publishMs = performance.now() - p0;
    refresh.start();
    const c0 = performance.now();
    await consumer.start([topic], async (messages, tx, log) => {
      const t = performance.now();
      await handlePredictionsMade(messages, tx, log);
      batches.push({ size: messages.length, ms: performance.now() - t });
    });
    let firstAt = 0;
    let firstCount = 0;
    for (;;) {
      const n = await stored();
      if (n > 0 && !firstAt) [firstAt, firstCount] = [performance.now(), n];
      if (n >= EVENTS) break;
      await sleep(50);
    }
    const allAt = performance.now();
    const backlogBatches = batches.splice(0);
    const drainedMs = allAt - c0;

    // 2. Sustained rate, published by a child process so that publishing does not take this one's CPU.
    const publisher = spawn(process.execPath, ['--import', 'tsx', __filename], {
      env: { ...process.env, BENCH_PUBLISH_TO: topic }, stdio: ['ignore', 'pipe', 'inherit'],
    });
    let published = 0;
    let maxBacklog = 0;
    let firstPublishAt = 0;
    let lastPublishAt = 0;
    createInterface({ input: publisher.stdout! }).on('line', (line) => {
      const n = /^published (\d+)$/.exec(line);
      if (!n) return;
      [published, lastPublishAt] = [Number(n[1]), performance.now()];
      firstPublishAt ||= lastPublishAt;
    });
    const exited = new Promise<number | null>((resolve) => publisher.on('exit', resolve));
    let done = false;
    void exited.then(() => (done = true));
    while (!done) {
      maxBacklog = Math.max(maxBacklog, published - ((await stored()) - EVENTS));
      await sleep(250);
    }
    if ((await exited) !== 0) throw new Error('publisher failed');
    // The first report comes after the first tick's send: add one tick.
    const achievedRate = published / ((lastPublishAt - firstPublishAt + TICK_MS) / 1000);
    while ((await stored()) < EVENTS + published) await sleep(20);
    const drainAfterMs = performance.now() - lastPublishAt;

    // 3. Label latency: one label at a time, each for an unlabelled pneumonia prediction.
    const { rows } = await pool.query(`SELECT prediction_id FROM monitoring.predictions WHERE model_name = 'xray-pneumonia' LIMIT $1`, [LABELS]);
    const performanceUrl = `${base}/v1/monitoring/models/xray-pneumonia/performance?window=1h&version=1`;
    const labelledVia = {
      endpoint: async () => ((await (await fetch(performanceUrl, { headers: auth })).json()) as { versions: { labelled: number }[] }).versions[0].labelled,
      metrics: async () => {
        const text = await (await fetch(`${base}/metrics`)).text();
        const line = text.split('\n').find((l) => l.startsWith('vigil_model_labelled{') && l.includes('model="xray-pneumonia"') && l.includes('version="1"') && l.includes('window="1h"'));
        return line ? Number(line.split(' ').pop()) : 0;
      },
    };
    await refresh.refresh();
    const latency = { endpoint: [] as number[], metrics: [] as number[] };
    for (const [i, r] of rows.entries()) {
      const t0 = performance.now();
      const res = await fetch(`${base}/v1/feedback`, { method: 'POST', headers: auth, body: JSON.stringify({ predictionId: r.prediction_id, label: i % 3 ? 'normal' : 'pneumonia' }) });
      if (res.status !== 200) throw new Error(`feedback answered ${res.status}: ${await res.text()}`);
      const pending = new Set(['endpoint', 'metrics'] as const);
      while (pending.size > 0) {
        for (const via of [...pending]) {
          if ((await labelledVia[via]()) >= i + 1) {
            latency[via].push(performance.now() - t0);
            pending.delete(via);
          }
        }
        if (pending.size > 0) await sleep(25);
      }
    }

    console.log(JSON.stringify({
      machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.cpus()[0].model}`,
      loadAverageAtStart: loadAtStart,
      backlog: {
        events: EVENTS, publishEventsPerSec: Math.round(EVENTS / (publishMs / 1000)),
        consumedEventsPerSec: Math.round(EVENTS / (drainedMs / 1000)), drainMsIncludingGroupJoin: Math.round(drainedMs),
        steadyEventsPerSec: Math.round((EVENTS - firstCount) / ((allAt - firstAt) / 1000)),
        batches: backlogBatches.length,
        meanBatchSize: Math.round(EVENTS / backlogBatches.length),
        handlerMsPer1000Events: Math.round((backlogBatches.reduce((a, b) => a + b.ms, 0) / EVENTS) * 1000),
      },
      sustained: { targetPerSec: RATE, publishedPerSec: Math.round(achievedRate), seconds: SECONDS, maxBacklogEvents: maxBacklog, drainMsAfterLastPublish: Math.round(drainAfterMs) },
      labelLatency: { tableRows: EVENTS + published, refreshMs: REFRESH_MS, endpoint: summary(latency.endpoint), metrics: summary(latency.metrics) },
    }, null, 2));
  } finally {
    await refresh.close();
    await consumer.close();
    await app.close();
    await producer.close();
    await kafkaAdmin.close();
    await pool.end();
    const kafka = new Kafka({ clientId: 'bench-monitoring-cleanup', brokers: BROKERS, logLevel: logLevel.NOTHING });
    const cleanup = kafka.admin();
    await cleanup.connect();
    await cleanup.deleteTopics({ topics: [topic, `${topic}.dlq`] }).catch(() => undefined);
    await cleanup.disconnect();
  }
}

(process.env.BENCH_PUBLISH_TO ? publish(process.env.BENCH_PUBLISH_TO) : main()).catch((err: Error) => {
  console.error(`bench-monitoring: ${err.stack ?? err.message}`);
  process.exit(1);
});

import { randomUUID } from 'node:crypto';
import { createApiKeyStore, createMetricsRegistry, createPool, type Pool, type ReferenceProfile } from '@vigil/common';
import { createDriftMetrics } from '../../src/adapters/metrics/drift-metrics';
import { createAlertStore } from '../../src/adapters/postgres/alert-store';
import { createDriftReader } from '../../src/adapters/postgres/drift-reader';
import { createFeedbackWriter } from '../../src/adapters/postgres/feedback-writer';
import { createQualityReader } from '../../src/adapters/postgres/quality-reader';
import { createTaskConfigs } from '../../src/adapters/postgres/task-configs';
import { createReviewStore } from '../../src/adapters/postgres/review-store';
import { createUsageReader } from '../../src/adapters/postgres/usage-reader';
import { buildApp } from '../../src/app';
import { parseWindows } from '../../src/domain/windows';
import { createDriftRefresh } from '../../src/jobs/drift-refresh';
import { silentLogger, uniqueName } from '../../../../tests/support/kafka';

/**
 * The monitoring app with the drift, review and usage routes and the drift refresher, wired as
 * main.ts wires them — on a pool that runs as vigil_monitoring, as the service does, so that the
 * read grants on training.model_versions and inference.predictions are part of what is tested.
 */
export async function startModelWatch(opts: { url: string; admin: Pool; windows?: string; unusedDays?: number }) {
  const pool = createPool({ connectionString: opts.url, applicationName: 'monitoring-under-test', role: 'vigil_monitoring' });
  const registry = createMetricsRegistry('monitoring');
  const windows = parseWindows(opts.windows ?? '1h,1d,7d');
  const longest = windows.reduce((a, b) => (b.ms > a.ms ? b : a));
  const driftReader = createDriftReader(pool);
  const refresh = createDriftRefresh({ reader: driftReader, windows, observer: createDriftMetrics(registry), logger: silentLogger, pollMs: 60_000 });
  let committed = 0;
  const app = await buildApp({
    logger: silentLogger, metrics: registry, apiKeys: createApiKeyStore(pool), readiness: {},
    alerts: createAlertStore(pool),
    feedback: { tasks: createTaskConfigs(pool), writer: createFeedbackWriter(pool), now: () => new Date(), churnWindowMs: 90 * 86_400_000 },
    performance: { tasks: createTaskConfigs(pool), reader: createQualityReader(pool), defaultWindow: longest },
    drift: { reader: driftReader, defaultWindow: longest },
    reviews: { reviews: createReviewStore(pool, { onCommitted: () => (committed += 1) }), now: () => new Date() },
    usage: { reader: createUsageReader(pool), unusedDays: opts.unusedDays ?? 30 },
  });
  const keys = createApiKeyStore(opts.admin);
  return {
    app, pool, registry, refresh,
    committed: () => committed,
    key: async (scopes: string[]) => (await keys.create(uniqueName('client'), scopes)).key,
    async close() {
      await refresh.close();
      await app.close();
      await pool.end();
    },
  };
}

/** A registered model version as training's job store writes it (with the job it came from). */
export async function registerVersion(db: Pool, name: string, version: number, config: { reference?: ReferenceProfile } = {}, createdAt?: Date): Promise<void> {
  const jobId = randomUUID();
  await db.query(
    `INSERT INTO training.jobs (id, pipeline, dataset_id, status, requested_by) VALUES ($1, $2, $3, 'succeeded', 'test')`,
    [jobId, name === 'churn' ? 'churn' : 'xray', randomUUID()],
  );
  await db.query(
    `INSERT INTO training.model_versions (name, version, sha256, job_id, dataset_id, dataset_sha256, metrics, config, created_at)
     VALUES ($1, $2, $3, $4, $5, 'ds', '{}', $6, coalesce($7, now()))`,
    [name, version, `${name}-${version}`.padEnd(64, '0'), jobId, randomUUID(), JSON.stringify({ pipeline: name, threshold: 0.5, ...config }), createdAt ?? null],
  );
}

/** Audit rows as inference's prediction store writes them. */
export async function auditPredictions(
  db: Pool,
  name: string,
  version: number,
  rows: { input: Record<string, unknown>; output: Record<string, unknown>; at?: Date }[],
): Promise<string[]> {
  const ids = rows.map(() => randomUUID());
  await db.query(
    `INSERT INTO inference.predictions (id, created_at, request_id, client_name, model_name, model_version, model_sha256, input_sha256, input, output, latency_ms)
     SELECT id, coalesce(created_at, now()), 'req', 'test', $1, $2, 'sha', 'in', input, output, 1
       FROM json_to_recordset($3::json) AS r(id uuid, created_at timestamptz, input jsonb, output jsonb)`,
    [name, version, JSON.stringify(rows.map((r, i) => ({ id: ids[i], created_at: r.at ?? null, input: r.input, output: r.output })))],
  );
  return ids;
}

/** monitoring.predictions rows as the prediction-made consumer stores them. */
export async function recordedPredictions(db: Pool, name: string, version: string, at: Date[]): Promise<void> {
  await db.query(
    `INSERT INTO monitoring.predictions (prediction_id, model_name, model_version, score, label, positive, created_at)
     SELECT gen_random_uuid(), $1, $2, 0.4, 'x', false, t FROM unnest($3::timestamptz[]) AS t`,
    [name, version, at],
  );
}

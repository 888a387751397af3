import { stageEvent, TOPICS, TrainingStatus, VigilError, withTransaction, type Pool, type PoolClient } from '@vigil/common';
import type { JobStore, Lineage, ModelConfig, ModelVersion, TrainedModel, TrainingJob } from '../../domain/ports';
import type { ModelRepository } from '../storage/model-repository';
import { numericMetrics, toJob, toVersion } from './job-rows';

const SCHEMA = 'training';

async function stageFailure(tx: PoolClient, id: string, pipeline: string, error: string): Promise<void> {
  await stageEvent(tx, SCHEMA, SCHEMA, TOPICS.trainingCompleted, { jobId: id, pipeline, status: TrainingStatus.FAILED, error });
}

async function registerVersion(tx: PoolClient, repository: ModelRepository, job: TrainingJob, model: TrainedModel, lineage: Lineage): Promise<ModelVersion> {
  const { name } = model;
  // Versions of one model are numbered under a lock, so two jobs never take the same number.
  await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`training.model:${name}`]);
  const next = (await tx.query('SELECT coalesce(max(version), 0) + 1 AS v FROM training.model_versions WHERE name = $1', [name])).rows[0].v;
  const config: ModelConfig = { ...model.config, name };
  // Written before the row commits: a version row never points at a missing artifact. If the
  // commit fails, the next version with this number overwrites the orphan files.
  await repository.save(name, next, model.onnx, config, model.files);
  const inserted = await tx.query(
    `INSERT INTO training.model_versions (name, version, sha256, job_id, dataset_id, dataset_sha256, metrics, config)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
    [name, next, model.sha256, job.id, lineage.datasetId, lineage.datasetSha256, model.metrics, config],
  );
  return toVersion(inserted.rows[0]);
}

export function createJobStore(pool: Pool, repository: ModelRepository): JobStore {
  return {
    async create(job, options = {}) {
      await withTransaction(pool, async (tx) => {
        await tx.query(
          `INSERT INTO training.jobs (id, pipeline, dataset_id, status, requested_by, reason, created_at) VALUES ($1, $2, $3, 'queued', $4, $5, $6)`,
          [job.id, job.pipeline, job.datasetId, job.requestedBy, job.reason, job.createdAt],
        );
        if (options.announce === false) return;
        await stageEvent(tx, SCHEMA, SCHEMA, TOPICS.trainingRequested, {
          jobId: job.id, pipeline: job.pipeline, datasetId: job.datasetId, reason: job.reason, requestedBy: job.requestedBy,
        });
      });
    },
    async get(id) {
      const { rows } = await pool.query('SELECT * FROM training.jobs WHERE id = $1', [id]);
      return rows[0] ? toJob(rows[0]) : null;
    },
    async claimNext() {
      // SKIP LOCKED: several runners (or service replicas) never take the same job.
      const { rows } = await pool.query(
        `UPDATE training.jobs SET status = 'running', attempts = attempts + 1, started_at = now(), heartbeat_at = now(), progress = 0
          WHERE id = (SELECT id FROM training.jobs WHERE status = 'queued' ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
          RETURNING *`,
      );
      return rows[0] ? toJob(rows[0]) : null;
    },
    async heartbeat(id, progress) {
      await pool.query(`UPDATE training.jobs SET heartbeat_at = now(), progress = $2 WHERE id = $1 AND status = 'running'`, [id, progress]);
    },
    async recoverStale(staleAfterMs, maxAttempts) {
      return withTransaction(pool, async (tx) => {
        const { rows } = await tx.query(
          `SELECT id, pipeline, attempts FROM training.jobs
            WHERE status = 'running' AND heartbeat_at < now() - make_interval(secs => $1::float8 / 1000) FOR UPDATE`,
          [staleAfterMs],
        );
        const requeued: string[] = [];
        const failed: string[] = [];
        for (const r of rows) {
          if (r.attempts >= maxAttempts) {
            const error = `the training process stopped while running the job (${r.attempts} attempts)`;
            await tx.query(`UPDATE training.jobs SET status = 'failed', error = $2, finished_at = now() WHERE id = $1`, [r.id, error]);
            await stageFailure(tx, r.id, r.pipeline, error);
            failed.push(r.id);
          } else {
            await tx.query(`UPDATE training.jobs SET status = 'queued', progress = 0 WHERE id = $1`, [r.id]);
            requeued.push(r.id);
          }
        }
        return { requeued, failed };
      });
    },
    async fail(id, error) {
      await withTransaction(pool, async (tx) => {
        const { rows } = await tx.query(
          `UPDATE training.jobs SET status = 'failed', error = $2, finished_at = now() WHERE id = $1 AND status IN ('queued', 'running') RETURNING pipeline`,
          [id, error],
        );
        if (rows[0]) await stageFailure(tx, id, rows[0].pipeline, error);
      });
    },
    async succeed(job, models, lineage) {
      return withTransaction(pool, async (tx) => {
        const versions: ModelVersion[] = [];
        for (const model of models) versions.push(await registerVersion(tx, repository, job, model, lineage));
        const first = versions[0];
        const produced = versions.map((v) => ({ name: v.name, version: v.version, sha256: v.sha256 }));
        const metrics = models.length === 1 ? models[0].metrics : Object.fromEntries(models.map((m) => [m.name, m.metrics]));
        const updated = await tx.query(
          `UPDATE training.jobs SET status = 'succeeded', progress = 1, metrics = $2, lineage = $3, model_name = $4, model_version = $5,
                  models = $6, finished_at = now()
            WHERE id = $1 AND status = 'running'`,
          [job.id, metrics, lineage, first.name, first.version, JSON.stringify(produced)],
        );
        if (updated.rowCount === 0) throw new VigilError('VIGIL_CONFLICT', `job ${job.id} is no longer running; its result is discarded`);
        for (const [i, v] of versions.entries()) {
          await stageEvent(tx, SCHEMA, SCHEMA, TOPICS.trainingCompleted, {
            jobId: job.id, pipeline: job.pipeline, status: TrainingStatus.SUCCEEDED, modelName: v.name, modelVersion: String(v.version),
            modelSha256: v.sha256, datasetSha256: lineage.datasetSha256, metrics: numericMetrics(models[i].metrics),
          });
        }
        return versions;
      });
    },
  };
}

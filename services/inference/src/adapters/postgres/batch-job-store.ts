import { withTransaction, type Pool } from '@vigil/common';
import type { BatchJob, BatchJobStore, DatasetRows } from '../../domain/batch-ports';

const toJob = (r: Record<string, any>): BatchJob => ({ // eslint-disable-line @typescript-eslint/no-explicit-any
  id: r.id, datasetId: r.dataset_id, status: r.status, totalRows: r.total_rows, nextRow: r.next_row, scored: r.scored,
  modelName: r.model_name, error: r.error, requestedBy: r.requested_by, createdAt: r.created_at, startedAt: r.started_at, finishedAt: r.finished_at,
});

export function createBatchJobStore(pool: Pool): BatchJobStore {
  return {
    async create(job) {
      await pool.query(
        `INSERT INTO inference.batch_jobs (id, dataset_id, status, total_rows, model_name, requested_by, created_at) VALUES ($1, $2, 'queued', $3, $4, $5, $6)`,
        [job.id, job.datasetId, job.totalRows, job.modelName, job.requestedBy, job.createdAt],
      );
    },
    async get(id) {
      const { rows } = await pool.query('SELECT * FROM inference.batch_jobs WHERE id = $1', [id]);
      return rows[0] ? toJob(rows[0]) : null;
    },
    async claim(staleAfterMs) {
      const { rows } = await pool.query(
        `UPDATE inference.batch_jobs SET status = 'running', started_at = coalesce(started_at, now()), heartbeat_at = now()
          WHERE id = (SELECT id FROM inference.batch_jobs
                       WHERE status = 'queued' OR (status = 'running' AND heartbeat_at < now() - make_interval(secs => $1::float8 / 1000))
                       ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
          RETURNING *`,
        [staleAfterMs],
      );
      return rows[0] ? toJob(rows[0]) : null;
    },
    async saveChunk(jobId, scores, nextRow) {
      await withTransaction(pool, async (tx) => {
        // ON CONFLICT: a chunk re-run after a crash keeps the first score of each customer.
        const inserted = await tx.query(
          `INSERT INTO inference.churn_scores (job_id, customer_id, probability, churn, model_version, model_sha256, prediction_id)
           SELECT $1, * FROM unnest($2::text[], $3::float8[], $4::bool[], $5::int[], $6::text[], $7::uuid[])
           ON CONFLICT DO NOTHING`,
          [jobId, scores.map((s) => s.customerId), scores.map((s) => s.probability), scores.map((s) => s.churn),
            scores.map((s) => s.modelVersion), scores.map((s) => s.modelSha256), scores.map((s) => s.predictionId)],
        );
        await tx.query('UPDATE inference.batch_jobs SET next_row = $2, scored = scored + $3, heartbeat_at = now() WHERE id = $1', [jobId, nextRow, inserted.rowCount]);
      });
    },
    async finish(jobId) {
      await pool.query(`UPDATE inference.batch_jobs SET status = 'succeeded', finished_at = now() WHERE id = $1`, [jobId]);
    },
    async fail(jobId, error) {
      await pool.query(`UPDATE inference.batch_jobs SET status = 'failed', error = $2, finished_at = now() WHERE id = $1`, [jobId, error]);
    },
    async lastCreatedAt() {
      const { rows } = await pool.query('SELECT max(created_at) AS at FROM inference.batch_jobs');
      return rows[0].at ?? null;
    },
  };
}

/** Rows of a churn dataset stored by ingestion (read-only grant on ingestion.churn_rows). */
export function createDatasetRows(pool: Pool): DatasetRows {
  return {
    async count(datasetId) {
      const { rows } = await pool.query(`SELECT row_count FROM ingestion.datasets WHERE id = $1 AND kind = 'churn'`, [datasetId]);
      return rows[0] ? rows[0].row_count : null;
    },
    async page(datasetId, afterRow, limit) {
      const { rows } = await pool.query(
        'SELECT row_number, record FROM ingestion.churn_rows WHERE dataset_id = $1 AND row_number > $2 ORDER BY row_number LIMIT $3',
        [datasetId, afterRow, limit],
      );
      return rows.map((r) => ({ rowNumber: r.row_number, row: r.record }));
    },
    async latest() {
      const { rows } = await pool.query(`SELECT id FROM ingestion.datasets WHERE kind = 'churn' ORDER BY created_at DESC LIMIT 1`);
      return rows[0]?.id ?? null;
    },
  };
}

import { VigilError } from '@vigil/common';
import type { BatchJob, BatchJobStore, DatasetRows } from './batch-ports';
import type { InferenceDeps } from './run-inference';
import { CHURN_MODEL, scoreChurn } from './score-churn';

export const BATCH_CHUNK = 500;

export interface BatchDeps {
  jobs: BatchJobStore;
  rows: DatasetRows;
  newId: () => string;
  now: () => Date;
}

/** POST /v1/churn/batch-jobs: queue the scoring of every customer of a dataset. */
export async function submitBatchJob(datasetId: string, requestedBy: string, deps: BatchDeps): Promise<BatchJob> {
  const total = await deps.rows.count(datasetId);
  if (total === null) throw new VigilError('VIGIL_UNPROCESSABLE', `No churn dataset with id ${datasetId}`);
  const job: BatchJob = {
    id: deps.newId(), datasetId, status: 'queued', totalRows: total, nextRow: 0, scored: 0, modelName: CHURN_MODEL,
    error: null, requestedBy, createdAt: deps.now(), startedAt: null, finishedAt: null,
  };
  await deps.jobs.create(job);
  return job;
}

/**
 * Scores a claimed job chunk by chunk from its resume point. Each chunk goes through the same
 * audited inference path as a REST request (client = the requester), then its scores and the new
 * resume point commit together. A crash loses at most the chunk in progress, which is scored again.
 */
export async function runBatchJob(job: BatchJob, deps: BatchDeps & { inference: InferenceDeps }): Promise<void> {
  try {
    let after = job.nextRow;
    for (;;) {
      const page = await deps.rows.page(job.datasetId, after, BATCH_CHUNK);
      if (page.length === 0) break;
      const { model, predictions } = await scoreChurn(page.map((p) => p.row), { requestId: `batch:${job.id}`, clientName: job.requestedBy }, deps.inference);
      after = page[page.length - 1].rowNumber;
      await deps.jobs.saveChunk(
        job.id,
        predictions.map((p) => ({ customerId: p.customerID, probability: p.probability, churn: p.churn, modelVersion: model.version, modelSha256: model.sha256, predictionId: p.predictionId })),
        after,
      );
    }
    await deps.jobs.finish(job.id);
  } catch (err) {
    // No live model or no database: leave the job to be claimed again once its heartbeat is stale.
    if (err instanceof VigilError && err.canRetry) throw err;
    await deps.jobs.fail(job.id, err instanceof Error ? err.message : String(err));
  }
}

/**
 * The weekly batch: when the last batch job is older than `intervalMs` (or there is none) and a
 * churn model is live, queue the scoring of the latest dataset. The state lives in Postgres, so a
 * restart neither skips nor repeats a week; returns the job it queued, if any.
 */
export async function scheduleBatch(intervalMs: number, deps: BatchDeps & { modelLive: () => boolean }): Promise<BatchJob | null> {
  if (!deps.modelLive()) return null;
  const last = await deps.jobs.lastCreatedAt();
  if (last && deps.now().getTime() - last.getTime() < intervalMs) return null;
  const datasetId = await deps.rows.latest();
  return datasetId ? submitBatchJob(datasetId, 'scheduler', deps) : null;
}

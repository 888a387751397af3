import type { DatasetReader, JobStore, Lineage, ModelVersion, Trainer, TrainingJob } from './ports';

export interface RunDeps {
  jobs: JobStore;
  datasets: DatasetReader;
  trainer: Trainer;
  codeCommit: string;
  seed: number;
  /** How often a running job proves it is alive, even when training reports no progress. */
  heartbeatMs?: number;
}

/**
 * Trains a claimed job and registers its model, or records why it failed. Never throws: a job
 * always ends succeeded or failed (or, if the process dies, is recovered by recoverStale).
 */
export async function runTrainingJob(job: TrainingJob, deps: RunDeps): Promise<ModelVersion | null> {
  let progress = 0;
  const beat = () => void deps.jobs.heartbeat(job.id, progress).catch(() => undefined);
  const heartbeat = setInterval(beat, deps.heartbeatMs ?? 5000);
  try {
    const dataset = await deps.datasets.churnDataset(job.datasetId);
    if (!dataset) throw new Error(`dataset ${job.datasetId} no longer exists`);
    const model = await deps.trainer.train(job.pipeline, dataset.rows, deps.seed, (p) => {
      progress = p;
      beat();
    });
    model.config.holdout.datasetId = job.datasetId;
    const lineage: Lineage = {
      datasetId: job.datasetId,
      datasetSha256: dataset.sha256,
      codeCommit: deps.codeCommit,
      seed: model.seed,
      modelSha256: model.sha256,
    };
    return await deps.jobs.succeed(job, job.pipeline, model, lineage);
  } catch (err) {
    await deps.jobs.fail(job.id, err instanceof Error ? err.message : String(err));
    return null;
  } finally {
    clearInterval(heartbeat);
  }
}

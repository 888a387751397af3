import type { DatasetReader, JobStore, Lineage, ModelVersion, Trainer, TrainingData, TrainingJob } from './ports';

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
async function readData(job: TrainingJob, datasets: DatasetReader): Promise<TrainingData | null> {
  if (job.pipeline === 'xray') {
    const ds = await datasets.xrayDataset(job.datasetId);
    return ds && { kind: 'xray', ...ds };
  }
  const ds = await datasets.churnDataset(job.datasetId);
  return ds && { kind: 'churn', ...ds };
}

export async function runTrainingJob(job: TrainingJob, deps: RunDeps): Promise<ModelVersion[] | null> {
  let progress = 0;
  const beat = () => void deps.jobs.heartbeat(job.id, progress).catch(() => undefined);
  const heartbeat = setInterval(beat, deps.heartbeatMs ?? 5000);
  try {
    const data = await readData(job, deps.datasets);
    if (!data) throw new Error(`dataset ${job.datasetId} no longer exists`);
    const models = await deps.trainer.train(job.pipeline, data, deps.seed, (p) => {
      progress = p;
      beat();
    });
    for (const model of models) model.config.holdout.datasetId = job.datasetId;
    const lineage: Lineage = {
      datasetId: job.datasetId,
      datasetSha256: data.sha256,
      codeCommit: deps.codeCommit,
      seed: models[0].seed,
      modelSha256: models[0].sha256,
    };
    return await deps.jobs.succeed(job, models, lineage);
  } catch (err) {
    await deps.jobs.fail(job.id, err instanceof Error ? err.message : String(err));
    return null;
  } finally {
    clearInterval(heartbeat);
  }
}

import { VigilError } from '@vigil/common';
import type { DatasetReader, JobStore, TrainingJob } from './ports';
import { DATASET_KIND, PIPELINES } from './submit-training-job';

export interface RetrainingRequest {
  jobId: string;
  pipeline: string;
  /** Empty: train on the latest dataset of the pipeline's kind. */
  datasetId: string;
  reason: string;
  requestedBy: string;
}

export interface RetrainingDeps {
  jobs: JobStore;
  datasets: DatasetReader;
  now: () => Date;
}

/**
 * A training-requested event (monitoring raises one when a model breaches its policy) becomes a
 * queued job with the event's job id. Training's own API jobs are announced on the same topic, so
 * an event whose job already exists is ours (or a redelivery) and changes nothing.
 */
export async function requestRetraining(req: RetrainingRequest, deps: RetrainingDeps): Promise<TrainingJob | null> {
  // 'api' events announce jobs a person queued through this service: they exist already.
  if (req.reason === 'api' || (await deps.jobs.get(req.jobId))) return null;
  if (!(PIPELINES as readonly string[]).includes(req.pipeline)) {
    throw new VigilError('VIGIL_VALIDATION', `Unknown pipeline "${req.pipeline}" in a training request`);
  }
  const kind = DATASET_KIND[req.pipeline as (typeof PIPELINES)[number]];
  const datasetId = req.datasetId || (await deps.datasets.latest(kind));
  if (!datasetId || !(await deps.datasets.exists(datasetId, kind))) {
    throw new VigilError('VIGIL_UNPROCESSABLE', `No ${kind} dataset to retrain ${req.pipeline} on`);
  }
  const job: TrainingJob = {
    id: req.jobId, pipeline: req.pipeline, datasetId, status: 'queued', progress: 0, attempts: 0, error: null, metrics: null,
    lineage: null, modelName: null, modelVersion: null, models: [], requestedBy: req.requestedBy || 'unknown',
    reason: req.reason || 'retraining', createdAt: deps.now(), startedAt: null, finishedAt: null,
  };
  await deps.jobs.create(job, { announce: false });
  return job;
}

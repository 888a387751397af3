import { VigilError } from '@vigil/common';
import type { DatasetReader, JobStore, TrainingJob } from './ports';

export const PIPELINES = ['churn', 'xray'] as const;

/** Which kind of dataset each pipeline trains on. */
export const DATASET_KIND = { churn: 'churn', xray: 'xray' } as const;

export interface SubmitDeps {
  jobs: JobStore;
  datasets: DatasetReader;
  newId: () => string;
  now: () => Date;
}

/** Queues a training job; the job runner picks it up off the HTTP event loop. */
export async function submitTrainingJob(
  input: { pipeline: string; datasetId: string },
  requestedBy: string,
  deps: SubmitDeps,
): Promise<TrainingJob> {
  if (!(PIPELINES as readonly string[]).includes(input.pipeline)) {
    throw new VigilError('VIGIL_VALIDATION', `Unknown pipeline "${input.pipeline}"; known: ${PIPELINES.join(', ')}`);
  }
  const kind = DATASET_KIND[input.pipeline as (typeof PIPELINES)[number]];
  if (!(await deps.datasets.exists(input.datasetId, kind))) {
    throw new VigilError('VIGIL_UNPROCESSABLE', `No ${input.pipeline} dataset with id ${input.datasetId}`);
  }
  const job: TrainingJob = {
    id: deps.newId(),
    pipeline: input.pipeline,
    datasetId: input.datasetId,
    status: 'queued',
    progress: 0,
    attempts: 0,
    error: null,
    metrics: null,
    lineage: null,
    modelName: null,
    modelVersion: null,
    models: [],
    requestedBy,
    reason: 'api',
    createdAt: deps.now(),
    startedAt: null,
    finishedAt: null,
  };
  await deps.jobs.create(job);
  return job;
}

import { Type, VigilError, type VigilRoutes } from '@vigil/common';
import type { DatasetReader, JobStore, TrainingJob } from '../domain/ports';
import { PIPELINES, submitTrainingJob } from '../domain/submit-training-job';

export interface TrainingJobRoutesDeps {
  jobs: JobStore;
  datasets: DatasetReader;
  newId: () => string;
}

const JobView = Type.Object({
  jobId: Type.String(),
  pipeline: Type.String(),
  datasetId: Type.String(),
  status: Type.Union(['queued', 'running', 'succeeded', 'failed'].map((s) => Type.Literal(s))),
  progress: Type.Number(),
  attempts: Type.Integer(),
  error: Type.Union([Type.String(), Type.Null()]),
  metrics: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  lineage: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  model: Type.Union([Type.Object({ name: Type.String(), version: Type.Integer() }), Type.Null()]),
  /** Every version the job produced: one for churn, two for xray (xray-pneumonia and xray-type). */
  models: Type.Array(Type.Object({ name: Type.String(), version: Type.Integer(), sha256: Type.String() })),
  requestedBy: Type.String(),
  createdAt: Type.String(),
  startedAt: Type.Union([Type.String(), Type.Null()]),
  finishedAt: Type.Union([Type.String(), Type.Null()]),
});

const view = (j: TrainingJob) => ({
  jobId: j.id,
  pipeline: j.pipeline,
  datasetId: j.datasetId,
  status: j.status,
  progress: j.progress,
  attempts: j.attempts,
  error: j.error,
  metrics: j.metrics,
  lineage: j.lineage as Record<string, unknown> | null,
  model: j.modelName && j.modelVersion ? { name: j.modelName, version: j.modelVersion } : null,
  models: j.models,
  requestedBy: j.requestedBy,
  createdAt: j.createdAt.toISOString(),
  startedAt: j.startedAt?.toISOString() ?? null,
  finishedAt: j.finishedAt?.toISOString() ?? null,
});

export const trainingJobRoutes: VigilRoutes<TrainingJobRoutesDeps> = async (app, deps) => {
  app.post(
    '/v1/training/jobs',
    {
      config: { scopes: ['models:admin'] },
      schema: {
        tags: ['training'],
        summary: 'Queue a training job',
        body: Type.Object(
          { pipeline: Type.Union(PIPELINES.map((p) => Type.Literal(p))), datasetId: Type.String({ format: 'uuid' }) },
          { additionalProperties: false },
        ),
        response: { 202: JobView },
      },
    },
    async (request, reply) => {
      const job = await submitTrainingJob(request.body, request.client!.name, { ...deps, now: () => new Date() });
      return reply.code(202).header('location', `/v1/training/jobs/${job.id}`).send(view(job));
    },
  );

  app.get(
    '/v1/training/jobs/:jobId',
    {
      config: { scopes: ['models:admin'] },
      schema: {
        tags: ['training'],
        summary: 'Status, progress, metrics and lineage of a training job',
        params: Type.Object({ jobId: Type.String({ format: 'uuid' }) }),
        response: { 200: JobView },
      },
    },
    async (request) => {
      const job = await deps.jobs.get(request.params.jobId);
      if (!job) throw new VigilError('VIGIL_NOT_FOUND', `No training job ${request.params.jobId}`);
      return view(job);
    },
  );
};

import { Type, VigilError, type VigilRoutes } from '@vigil/common';
import type { BatchJob } from '../domain/batch-ports';
import { submitBatchJob, type BatchDeps } from '../domain/batch-scoring';

const view = (j: BatchJob) => ({
  jobId: j.id,
  datasetId: j.datasetId,
  status: j.status,
  totalRows: j.totalRows,
  scored: j.scored,
  progress: j.totalRows === 0 ? 1 : j.scored / j.totalRows,
  model: j.modelName,
  error: j.error,
  requestedBy: j.requestedBy,
  createdAt: j.createdAt.toISOString(),
  startedAt: j.startedAt?.toISOString() ?? null,
  finishedAt: j.finishedAt?.toISOString() ?? null,
  scoresTable: 'inference.churn_scores',
});

/** Batch scoring of a whole dataset into inference.churn_scores (the retention team's table). */
export const churnBatchRoutes: VigilRoutes<BatchDeps> = async (app, deps) => {
  app.post(
    '/v1/churn/batch-jobs',
    {
      config: { scopes: ['churn:score'] },
      schema: {
        tags: ['churn'],
        summary: 'Score every customer of a dataset (resumable, audited)',
        body: Type.Object({ datasetId: Type.String({ format: 'uuid' }) }, { additionalProperties: false }),
      },
    },
    async (request, reply) => {
      const job = await submitBatchJob(request.body.datasetId, request.client!.name, deps);
      return reply.code(202).header('location', `/v1/churn/batch-jobs/${job.id}`).send(view(job));
    },
  );
  app.get(
    '/v1/churn/batch-jobs/:jobId',
    {
      config: { scopes: ['churn:score'] },
      schema: { tags: ['churn'], summary: 'Status and progress of a batch scoring job', params: Type.Object({ jobId: Type.String({ format: 'uuid' }) }) },
    },
    async (request) => {
      const job = await deps.jobs.get(request.params.jobId);
      if (!job) throw new VigilError('VIGIL_NOT_FOUND', `No batch job ${request.params.jobId}`);
      return view(job);
    },
  );
};

import { createPollingWorker } from '@vigil/common';
import type { Logger } from 'pino';
import { autoPromote } from '../domain/auto-promote';
import type { PromoteDeps } from '../domain/promote-model';
import { runTrainingJob, type RunDeps } from '../domain/run-training-job';

export interface JobRunnerOptions extends RunDeps {
  logger: Logger;
  pollMs?: number;
  staleAfterMs: number;
  maxAttempts: number;
  /** For retraining jobs: auto-promotion through the gate, where a model's settings allow it. */
  promote?: PromoteDeps;
}

/**
 * The training service's background entry point (like a consumer): recovers jobs whose process
 * died, then takes queued jobs one at a time. Training itself runs in a child process, so the
 * HTTP event loop stays free while a job runs.
 */
export function createJobRunner(options: JobRunnerOptions) {
  const { jobs, logger } = options;
  const log = logger.child({ component: 'job-runner' });
  return createPollingWorker(
    async () => {
      const { requeued, failed } = await jobs.recoverStale(options.staleAfterMs, options.maxAttempts);
      if (requeued.length || failed.length) log.warn({ requeued, failed }, 'recovered jobs left running by a dead process');
      const job = await jobs.claimNext();
      if (!job) return;
      log.info({ jobId: job.id, pipeline: job.pipeline, attempt: job.attempts }, 'training job started');
      const version = await runTrainingJob(job, options);
      log.info(
        { jobId: job.id, models: version?.map((v) => `${v.name}:${v.version}`) ?? null },
        version ? 'training job succeeded' : 'training job failed',
      );
      if (version && options.promote) {
        const outcomes = await autoPromote(job, version, options.promote);
        if (outcomes.length) log.info({ jobId: job.id, outcomes }, 'retrained versions: auto-promotion');
      }
    },
    { pollMs: options.pollMs ?? 1000, logger, name: 'job-runner' },
  );
}

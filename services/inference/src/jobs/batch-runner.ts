import { createPollingWorker } from '@vigil/common';
import type { Logger } from 'pino';
import { runBatchJob, type BatchDeps } from '../domain/batch-scoring';
import type { InferenceDeps } from '../domain/run-inference';

export interface BatchRunnerOptions extends BatchDeps {
  inference: InferenceDeps;
  logger: Logger;
  staleAfterMs: number;
  pollMs?: number;
}

/**
 * Background entry point for batch scoring: takes queued jobs (and jobs whose process died, by
 * their stale heartbeat) one at a time and scores them from their resume point.
 */
export function createBatchRunner(options: BatchRunnerOptions) {
  const log = options.logger.child({ component: 'batch-runner' });
  return createPollingWorker(
    async () => {
      const job = await options.jobs.claim(options.staleAfterMs);
      if (!job) return;
      log.info({ jobId: job.id, datasetId: job.datasetId, resumeAfterRow: job.nextRow }, 'batch scoring started');
      await runBatchJob(job, options);
      log.info({ jobId: job.id }, 'batch scoring ended');
    },
    { pollMs: options.pollMs ?? 1000, logger: options.logger, name: 'batch-runner' },
  );
}

import type { Logger } from 'pino';
import type { JobStore } from '../domain/ports';
import { runTrainingJob, type RunDeps } from '../domain/run-training-job';

export interface JobRunnerOptions extends RunDeps {
  logger: Logger;
  pollMs?: number;
  staleAfterMs: number;
  maxAttempts: number;
}

/**
 * The training service's background entry point (like a consumer): recovers jobs whose process
 * died, then takes queued jobs one at a time. Training itself runs in a child process, so the
 * HTTP event loop stays free while a job runs.
 */
export function createJobRunner(options: JobRunnerOptions) {
  const { jobs, logger, pollMs = 1000 } = options;
  const log = logger.child({ component: 'job-runner' });
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<unknown> | undefined;

  async function recover(store: JobStore): Promise<void> {
    const { requeued, failed } = await store.recoverStale(options.staleAfterMs, options.maxAttempts);
    if (requeued.length || failed.length) log.warn({ requeued, failed }, 'recovered jobs left running by a dead process');
  }

  async function tick(): Promise<void> {
    if (stopped) return;
    try {
      await recover(jobs);
      const job = await jobs.claimNext();
      if (job) {
        log.info({ jobId: job.id, pipeline: job.pipeline, attempt: job.attempts }, 'training job started');
        const run = runTrainingJob(job, options);
        current = run;
        const version = await run;
        log.info({ jobId: job.id, modelVersion: version?.version ?? null }, version ? 'training job succeeded' : 'training job failed');
      }
    } catch (err) {
      log.error({ err }, 'job runner pass failed');
    } finally {
      current = undefined;
      if (!stopped) timer = setTimeout(() => void tick(), pollMs);
    }
  }

  return {
    start() {
      stopped = false;
      timer = setTimeout(() => void tick(), 0);
    },
    /** Stops taking jobs. A job in progress is abandoned with the process and recovered at next start. */
    async close() {
      stopped = true;
      clearTimeout(timer);
    },
    /** For tests and shutdown: resolves when the job in progress (if any) has ended. */
    idle: () => current ?? Promise.resolve(),
  };
}

import type { Logger } from 'pino';

/**
 * A background loop for work kept in Postgres (training jobs, batch scoring): run one pass, wait
 * `pollMs`, repeat. A pass that throws is logged and the loop goes on; passes never overlap.
 */
export function createPollingWorker(pass: () => Promise<void>, options: { pollMs: number; logger: Logger; name: string }) {
  const log = options.logger.child({ component: options.name });
  let stopped = true;
  let timer: NodeJS.Timeout | undefined;

  async function tick(): Promise<void> {
    if (stopped) return;
    try {
      await pass();
    } catch (err) {
      log.error({ err }, `${options.name} pass failed; retrying`);
    } finally {
      if (!stopped) timer = setTimeout(() => void tick(), options.pollMs);
    }
  }

  return {
    start() {
      stopped = false;
      timer = setTimeout(() => void tick(), 0);
    },
    /** Stops taking work. Work in progress is abandoned with the process and picked up again later. */
    async close() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

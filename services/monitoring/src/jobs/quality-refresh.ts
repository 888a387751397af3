import type { Logger } from 'pino';
import { measureWindows } from '../domain/measure-quality';
import type { PendingLabelStore, QualityObserver, QualityReader } from '../domain/ports';
import { resolvePendingLabels } from '../domain/record-predictions';
import type { Window } from '../domain/windows';

export interface QualityRefreshOptions {
  reader: QualityReader;
  pending: PendingLabelStore;
  windows: Window[];
  observer: QualityObserver;
  logger: Logger;
  pollMs: number;
}

/**
 * Keeps the quality gauges current: a pass measures every model version in every window (one
 * read over the longest window) and publishes them all; passes run every `pollMs`, and `kick()` (called after a feedback write)
 * runs one at once — or right after the one in progress, whose reads may predate the write.
 * Passes never overlap; a failed pass is logged and the next one comes as usual.
 */
export function createQualityRefresh(options: QualityRefreshOptions) {
  const log = options.logger.child({ component: 'quality-refresh' });
  let stopped = true;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;

  async function pass(): Promise<void> {
    await resolvePendingLabels(options.pending);
    const { windows } = await measureWindows(options.reader, { windowsMs: options.windows.map((w) => w.ms) });
    options.observer.publish(options.windows.map((w, i) => ({ window: w.name, versions: windows[i] })));
  }

  function schedule(): void {
    clearTimeout(timer);
    if (!stopped) timer = setTimeout(() => void refresh(), options.pollMs);
  }

  /** Runs a pass now (or once more after the current one); resolves when the gauges are up to date. */
  function refresh(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    clearTimeout(timer);
    running = (async () => {
      do {
        again = false;
        try {
          await pass();
        } catch (err) {
          log.error({ err }, 'quality refresh failed; retrying at the next pass');
        }
      } while (again);
    })().finally(() => {
      running = undefined;
      schedule();
    });
    return running;
  }

  return {
    start(): void {
      stopped = false;
      void refresh();
    },
    kick(): void {
      if (!stopped) void refresh();
    },
    refresh,
    async close(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

import { createPollingWorker } from '@vigil/common';
import type { Logger } from 'pino';
import type { DriftObserver, DriftReader } from '../domain/drift-ports';
import { measureAllDrift } from '../domain/measure-drift';
import type { Window } from '../domain/windows';

export interface DriftRefreshOptions {
  reader: DriftReader;
  windows: Window[];
  observer: DriftObserver;
  logger: Logger;
  pollMs: number;
}

/**
 * Keeps the drift gauges current: every `pollMs`, the PSI of every model version with a reference
 * and live predictions, in every window, published all at once. A failed pass is logged and the
 * gauges keep their last values until the next one.
 */
export function createDriftRefresh(options: DriftRefreshOptions) {
  return createPollingWorker(
    async () => options.observer.publish(await measureAllDrift(options.reader, options.windows)),
    { pollMs: options.pollMs, logger: options.logger, name: 'drift-refresh' },
  );
}

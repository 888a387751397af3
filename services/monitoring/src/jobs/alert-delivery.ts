import { createPollingWorker } from '@vigil/common';
import type { Logger } from 'pino';
import { deliverAlert, type DeliverAlertDeps } from '../domain/deliver-alert';

export interface AlertDeliveryOptions extends DeliverAlertDeps {
  logger: Logger;
  pollMs: number;
  /** How long a claimed alert is held before another worker may take it; must outlast the webhook timeout. */
  leaseMs: number;
  /** Alerts sent concurrently per claim. */
  batchSize?: number;
}

/**
 * Background entry point for webhook delivery: claims due alerts (FOR UPDATE SKIP LOCKED, safe
 * with several replicas), sends them concurrently with no transaction open, records each outcome,
 * and keeps claiming while full batches come back.
 */
export function createAlertDelivery(options: AlertDeliveryOptions) {
  const { queue, logger, batchSize = 16 } = options;
  const log = logger.child({ component: 'alert-delivery' });
  return createPollingWorker(
    async () => {
      for (;;) {
        const due = await queue.claimDue(batchSize, options.leaseMs);
        const settled = await Promise.allSettled(
          due.map(async (alert) => {
            const { outcome, error } = await deliverAlert(alert, options);
            const fields = { alertId: alert.alertId, attempt: alert.attempts, outcome, error };
            if (outcome === 'failed') log.error(fields, 'alert delivery gave up');
            else if (outcome === 'retry') log.warn(fields, 'alert delivery failed; will retry');
            else log.info(fields, 'alert delivered');
          }),
        );
        // An outcome that could not be recorded (Postgres gone) leaves its alert claimed; the lease
        // runs out and it is sent again. The pass fails so the worker logs it and backs off.
        const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
        if (failed) throw failed.reason;
        if (due.length < batchSize) return;
      }
    },
    { pollMs: options.pollMs, logger, name: 'alert-delivery' },
  );
}

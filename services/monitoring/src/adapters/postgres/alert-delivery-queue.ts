import type { Pool } from '@vigil/common';
import type { AlertDeliveryQueue } from '../../domain/ports';
import { ALERT_COLUMNS, toAlert } from './alert-rows';

/**
 * The webhook queue over monitoring.alerts. A claim is its own short transaction: it counts the
 * attempt and moves next_attempt_at to the end of a lease, so the HTTP call happens with no
 * transaction open and no row locked. SKIP LOCKED lets replicas claim side by side without
 * waiting on each other or taking the same alert. Results are recorded only for the attempt
 * that is still the latest (`attempts = $2`), so a worker that outlived its lease cannot
 * overwrite the outcome of the attempt that took over.
 */
export function createAlertDeliveryQueue(pool: Pool): AlertDeliveryQueue {
  const record = async (sql: string, params: unknown[]) => (await pool.query(sql, params)).rowCount === 1;
  return {
    async claimDue(limit, leaseMs) {
      const { rows } = await pool.query(
        `UPDATE monitoring.alerts
            SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => $2::float8 / 1000)
          WHERE id IN (SELECT id FROM monitoring.alerts
                        WHERE delivery_status = 'pending' AND next_attempt_at <= now()
                        ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
          RETURNING ${ALERT_COLUMNS}`,
        [limit, leaseMs],
      );
      return rows.map(toAlert);
    },
    markDelivered(alertId, attempt) {
      return record(
        `UPDATE monitoring.alerts SET delivery_status = 'delivered', delivered_at = now(), next_attempt_at = NULL, last_error = NULL
          WHERE id = $1 AND attempts = $2 AND delivery_status = 'pending'`,
        [alertId, attempt],
      );
    },
    markRetry(alertId, attempt, delayMs, error) {
      return record(
        `UPDATE monitoring.alerts SET next_attempt_at = now() + make_interval(secs => $3::float8 / 1000), last_error = $4
          WHERE id = $1 AND attempts = $2 AND delivery_status = 'pending'`,
        [alertId, attempt, delayMs, error],
      );
    },
    markFailed(alertId, attempt, error) {
      return record(
        `UPDATE monitoring.alerts SET delivery_status = 'failed', next_attempt_at = NULL, last_error = $3
          WHERE id = $1 AND attempts = $2 AND delivery_status = 'pending'`,
        [alertId, attempt, error],
      );
    },
  };
}

import type { Pool, PoolClient } from '@vigil/common';
import type { AlertStore } from '../../domain/ports';
import { ALERT_COLUMNS, toAlert } from './alert-rows';

/**
 * monitoring.alerts. The consumer binds it to the inbox transaction (the alert and the inbox mark
 * commit together); routes bind it to the pool.
 */
export function createAlertStore(db: Pool | PoolClient): AlertStore {
  return {
    async save(a, status) {
      // ON CONFLICT: the same alert re-announced under another event id stays one row. A pending
      // alert is due at once.
      const result = await db.query(
        `INSERT INTO monitoring.alerts (id, event_id, kind, severity, model_name, model_version, prediction_id, message, raised_at,
                                        delivery_status, next_attempt_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, CASE WHEN $10 = 'pending' THEN now() END)
         ON CONFLICT (id) DO NOTHING`,
        [a.alertId, a.eventId, a.kind, a.severity, a.modelName, a.modelVersion, a.predictionId, a.message, a.raisedAt, status],
      );
      return result.rowCount === 1;
    },
    async list(filter) {
      const where: string[] = [];
      const params: unknown[] = [];
      const add = (sql: string, value: unknown) => {
        params.push(value);
        where.push(sql.replace('?', `$${params.length}`));
      };
      if (filter.kind !== undefined) add('kind = ?', filter.kind);
      if (filter.modelName !== undefined) add('model_name = ?', filter.modelName);
      if (filter.status !== undefined) add('delivery_status = ?', filter.status);
      if (filter.since !== undefined) add('raised_at >= ?', filter.since);
      params.push(filter.limit);
      const { rows } = await db.query(
        `SELECT ${ALERT_COLUMNS} FROM monitoring.alerts ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY raised_at DESC, id DESC LIMIT $${params.length}`,
        params,
      );
      return rows.map(toAlert);
    },
    async get(alertId) {
      const { rows } = await db.query(`SELECT ${ALERT_COLUMNS} FROM monitoring.alerts WHERE id = $1`, [alertId]);
      return rows[0] ? toAlert(rows[0]) : null;
    },
  };
}

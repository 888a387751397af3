import { AlertSeverity, stageEvent, TOPICS, withTransaction, type Pool } from '@vigil/common';
import type { Comparator, PolicyMetric, PolicySeverity } from '../../domain/policy';
import type { BreachStore, PolicyBreach } from '../../domain/policy-ports';

const SEVERITY: Record<PolicySeverity, AlertSeverity> = { warning: AlertSeverity.WARNING, critical: AlertSeverity.CRITICAL };

const COLUMNS = `id, policy_id, model_name, model_version, metric, feature, comparator, value, threshold, window_name, labelled, severity,
  alert_id, training_job_id, breached_at`;

const toBreach = (r: Record<string, any>): PolicyBreach => ({ // eslint-disable-line @typescript-eslint/no-explicit-any
  id: r.id,
  policyId: r.policy_id,
  modelName: r.model_name,
  modelVersion: r.model_version,
  metric: r.metric as PolicyMetric,
  feature: r.feature,
  comparator: r.comparator as Comparator,
  value: r.value,
  threshold: r.threshold,
  window: r.window_name,
  labelled: r.labelled,
  severity: r.severity as PolicySeverity,
  alertId: r.alert_id,
  trainingJobId: r.training_job_id,
  breachedAt: r.breached_at,
});

/**
 * monitoring.policy_breaches, written with the events that announce a breach. `onCommitted` runs
 * after a breach commits (main.ts kicks the outbox relay, so the alert goes out at once).
 */
export function createBreachStore(pool: Pool, options: { onCommitted?: () => void } = {}): BreachStore {
  return {
    async record({ breach: b, policyRevision, cooldownSeconds, alert, training }) {
      const recorded = await withTransaction(pool, async (tx) => {
        // The policy's row lock makes replicas that saw the same breach take turns; the one that
        // waited then sees the first one's breach (READ COMMITTED: a new snapshot per statement)
        // and inserts nothing. A policy edited, disabled or deleted meanwhile is not breached.
        const policy = await tx.query('SELECT 1 FROM monitoring.policies WHERE id = $1 AND enabled AND revision = $2 FOR UPDATE', [b.policyId, policyRevision]);
        if (policy.rowCount === 0) return null;
        const { rows } = await tx.query(
          `INSERT INTO monitoring.policy_breaches (id, policy_id, model_name, model_version, metric, feature, comparator, value, threshold, window_name,
                                                  labelled, severity, alert_id, training_job_id, breached_at)
           SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, clock_timestamp()
            WHERE NOT EXISTS (SELECT 1 FROM monitoring.policy_breaches
                               WHERE policy_id = $2 AND breached_at > clock_timestamp() - make_interval(secs => $15))
           RETURNING ${COLUMNS}`,
          [b.id, b.policyId, b.modelName, b.modelVersion, b.metric, b.feature, b.comparator, b.value, b.threshold, b.window, b.labelled, b.severity,
            b.alertId, b.trainingJobId, cooldownSeconds],
        );
        if (rows.length === 0) return null;
        await stageEvent(tx, 'monitoring', 'monitoring', TOPICS.alertRaised, {
          alertId: alert.alertId, kind: alert.kind, severity: SEVERITY[alert.severity], modelName: b.modelName, modelVersion: b.modelVersion, message: alert.message,
        });
        if (training) {
          await stageEvent(tx, 'monitoring', 'monitoring', TOPICS.trainingRequested, {
            jobId: training.jobId, pipeline: training.pipeline, datasetId: '', reason: training.reason, requestedBy: training.requestedBy,
          });
        }
        return toBreach(rows[0]);
      });
      if (recorded) options.onCommitted?.();
      return recorded;
    },
    async list({ modelName, policyId, limit }) {
      const params: unknown[] = [modelName, limit];
      const byPolicy = policyId === undefined ? '' : `AND policy_id = $${params.push(policyId)}`;
      const { rows } = await pool.query(
        `SELECT ${COLUMNS} FROM monitoring.policy_breaches WHERE model_name = $1 ${byPolicy} ORDER BY breached_at DESC, id DESC LIMIT $2`,
        params,
      );
      return rows.map(toBreach);
    },
  };
}

import type { Pool, PoolClient } from '@vigil/common';
import type { Comparator, PolicyMetric, PolicySeverity } from '../../domain/policy';
import type { PolicyStore, StoredPolicy } from '../../domain/policy-ports';

const COLUMNS = `id, model_name, metric, feature, comparator, threshold, window_name, min_labelled, cooldown_seconds, severity, enabled, retrain,
  created_by, created_at, updated_by, updated_at, revision,
  (SELECT max(b.breached_at) FROM monitoring.policy_breaches b WHERE b.policy_id = policies.id) AS last_breach_at`;

const toPolicy = (r: Record<string, any>): StoredPolicy => ({ // eslint-disable-line @typescript-eslint/no-explicit-any
  id: r.id,
  modelName: r.model_name,
  metric: r.metric as PolicyMetric,
  feature: r.feature,
  comparator: r.comparator as Comparator,
  threshold: r.threshold,
  window: r.window_name,
  minLabelled: r.min_labelled,
  cooldownSeconds: r.cooldown_seconds,
  severity: r.severity as PolicySeverity,
  enabled: r.enabled,
  retrain: r.retrain,
  createdBy: r.created_by,
  createdAt: r.created_at,
  updatedBy: r.updated_by,
  updatedAt: r.updated_at,
  revision: r.revision,
  lastBreachAt: r.last_breach_at,
});

/** monitoring.policies: what each model is held to (GET/POST/PUT/DELETE …/policies, and the evaluator). */
export function createPolicyStore(db: Pool | PoolClient): PolicyStore {
  return {
    async create(p) {
      const { rows } = await db.query(
        `INSERT INTO monitoring.policies (id, model_name, metric, feature, comparator, threshold, window_name, min_labelled, cooldown_seconds,
                                          severity, enabled, retrain, created_by, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)
         RETURNING ${COLUMNS}`,
        [p.id, p.modelName, p.metric, p.feature, p.comparator, p.threshold, p.window, p.minLabelled, p.cooldownSeconds, p.severity, p.enabled, p.retrain, p.createdBy],
      );
      return toPolicy(rows[0]);
    },
    async update(id, s, actor) {
      const { rows } = await db.query(
        `UPDATE monitoring.policies
            SET metric = $2, feature = $3, comparator = $4, threshold = $5, window_name = $6, min_labelled = $7, cooldown_seconds = $8,
                severity = $9, enabled = $10, retrain = $11, updated_by = $12, updated_at = now(), revision = revision + 1
          WHERE id = $1
         RETURNING ${COLUMNS}`,
        [id, s.metric, s.feature, s.comparator, s.threshold, s.window, s.minLabelled, s.cooldownSeconds, s.severity, s.enabled, s.retrain, actor],
      );
      return rows[0] ? toPolicy(rows[0]) : null;
    },
    async delete(id) {
      const result = await db.query('DELETE FROM monitoring.policies WHERE id = $1', [id]);
      return result.rowCount === 1;
    },
    async get(id) {
      const { rows } = await db.query(`SELECT ${COLUMNS} FROM monitoring.policies WHERE id = $1`, [id]);
      return rows[0] ? toPolicy(rows[0]) : null;
    },
    async list(modelName) {
      const { rows } = await db.query(`SELECT ${COLUMNS} FROM monitoring.policies WHERE model_name = $1 ORDER BY created_at, id`, [modelName]);
      return rows.map(toPolicy);
    },
    async listEnabled() {
      const { rows } = await db.query(`SELECT ${COLUMNS} FROM monitoring.policies WHERE enabled ORDER BY model_name, created_at, id`);
      return rows.map(toPolicy);
    },
  };
}

import type { Pool } from '@vigil/common';
import type { ServingVersions } from '../../domain/policy-ports';

/**
 * The version that answered a model's latest prediction: the live one, as far as monitoring can
 * tell (after a rollback, the older version). One backward scan of predictions_model_created per model.
 */
export function createServingVersions(pool: Pool): ServingVersions {
  return {
    async latest(modelNames) {
      const { rows } = await pool.query(
        `SELECT m.name, (SELECT p.model_version FROM monitoring.predictions p WHERE p.model_name = m.name ORDER BY p.created_at DESC LIMIT 1) AS version
           FROM unnest($1::text[]) AS m(name)`,
        [modelNames],
      );
      return new Map(rows.filter((r) => r.version !== null).map((r) => [r.name, r.version]));
    },
  };
}

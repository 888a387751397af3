import type { Pool } from '@vigil/common';
import type { UsageReader } from '../../domain/usage-ports';

/**
 * Usage per version from monitoring.predictions (every PredictionMade monitoring recorded: API
 * requests and batch scores alike), with the registered versions from training.model_versions
 * (read-only grant) so that a version never used is listed too. The count and the latest time of
 * a version come from predictions_model_version_created, an index-only scan.
 */
export function createUsageReader(pool: Pool): UsageReader {
  return {
    async usage(modelName) {
      const { rows } = await pool.query(
        `SELECT now() AS as_of, coalesce(u.version, r.version) AS version, coalesce(u.requests, 0)::float8 AS requests, u.last_used_at, r.registered_at
           FROM (SELECT model_version AS version, count(*) AS requests, max(created_at) AS last_used_at
                   FROM monitoring.predictions WHERE model_name = $1 GROUP BY model_version) u
           FULL JOIN (SELECT version::text AS version, created_at AS registered_at FROM training.model_versions WHERE name = $1) r
             ON r.version = u.version`,
        [modelName],
      );
      const asOf: Date = rows[0]?.as_of ?? (await pool.query('SELECT now() AS as_of')).rows[0].as_of;
      return {
        asOf,
        versions: rows.map((r) => ({ modelVersion: r.version, requests: r.requests, lastUsedAt: r.last_used_at, registeredAt: r.registered_at })),
      };
    },
  };
}

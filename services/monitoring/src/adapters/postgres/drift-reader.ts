import type { Pool, ReferenceProfile } from '@vigil/common';
import type { DriftReader, LivePrediction, VersionReference } from '../../domain/drift-ports';

const key = (name: string, version: string) => `${name}\u0000${version}`;

/**
 * References from training.model_versions (config.reference), live rows from inference.predictions
 * (read-only grants to vigil_monitoring). A version's config never changes once registered, so
 * each reference is read once and kept, also "none" for versions trained before references
 * existed: a refresh lists the versions (no config read) and fetches only the new ones' references.
 */
export function createDriftReader(pool: Pool): DriftReader {
  const cache = new Map<string, ReferenceProfile | null>();

  return {
    async references(modelName) {
      const { rows: listed } = await pool.query(
        `SELECT name, version::text AS version FROM training.model_versions WHERE $1::text IS NULL OR name = $1 ORDER BY name, version`,
        [modelName ?? null],
      );
      const missing = listed.filter((r) => !cache.has(key(r.name, r.version)));
      if (missing.length > 0) {
        const { rows } = await pool.query(
          `SELECT v.name, v.version::text AS version, v.config->'reference' AS reference
             FROM training.model_versions v JOIN unnest($1::text[], $2::int[]) AS m(name, version) USING (name, version)`,
          [missing.map((r) => r.name), missing.map((r) => Number(r.version))],
        );
        for (const r of rows) cache.set(key(r.name, r.version), r.reference ?? null);
      }
      return listed.flatMap((r): VersionReference[] => {
        const reference = cache.get(key(r.name, r.version));
        return reference ? [{ modelName: r.name, modelVersion: r.version, reference }] : [];
      });
    },

    async recent(query) {
      const asOf: Date = (await pool.query('SELECT now() AS as_of')).rows[0].as_of;
      // Newest first along predictions_by_model (model_name, model_version, created_at). Only the
      // named features travel: for an X-ray its image statistics, for churn the row's fields.
      const { rows } = await pool.query(
        // A registered model's score is output.score (or a regression's value), already in the
        // reference's terms; a column name_i of an [N, k] input is element i of input name.
        `SELECT p.created_at, coalesce(p.output->'probability', p.output->'score', p.output->'value') AS probability, p.output->>'label' AS label,
                (p.output ? 'score' OR p.output ? 'value') AS by_task,
                (SELECT coalesce(jsonb_agg(coalesce(p.input->'stats'->f.name, p.input->f.name,
                                                    p.input #> ARRAY[regexp_replace(f.name, '_[0-9]+$', ''), substring(f.name from '_([0-9]+)$')]) ORDER BY f.i), '[]'::jsonb)
                   FROM unnest($5::text[]) WITH ORDINALITY AS f(name, i)) AS vals
           FROM inference.predictions p
          WHERE p.model_name = $1 AND p.model_version = $2::int
            AND p.created_at > $3::timestamptz - make_interval(secs => $4::float8 / 1000) AND p.created_at <= $3::timestamptz
          ORDER BY p.created_at DESC
          LIMIT $6`,
        [query.modelName, query.modelVersion, asOf, query.windowMs, query.features, query.cap],
      );
      return {
        asOf,
        rows: rows.map((r): LivePrediction => ({
          createdAt: r.created_at,
          values: r.vals,
          probability: typeof r.probability === 'number' ? r.probability : null,
          label: r.by_task ? null : r.label,
        })),
      };
    },

    async latestVersion(modelName) {
      // monitoring.predictions (model_name, created_at): one index step, where inference's index
      // would need every version's rows.
      const { rows } = await pool.query(
        'SELECT model_version FROM monitoring.predictions WHERE model_name = $1 ORDER BY created_at DESC LIMIT 1',
        [modelName],
      );
      return rows[0]?.model_version ?? null;
    },
  };
}

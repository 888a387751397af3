import { withTransaction, type Pool } from '@vigil/common';
import { sampleKey, type QualityQuery, type QualityReader, type ScoredLabel, type VersionCounts } from '../../domain/ports';

/**
 * Quality inputs from monitoring.predictions and the current labels, for several windows at once.
 * Three statements in one REPEATABLE READ snapshot (so a label landing in between cannot make
 * them disagree), each one pass over the longest window with a FILTER per window:
 *   1. predictions and positive answers per version, from monitoring.predictions alone: no join
 *      for the rows that have no label, which is nearly all of them;
 *   2. confusion counts and the Brier sum of the labelled ones, driven by ground_truth;
 *   3. the scores and truths of the newest `cap` labelled predictions per version, for AUC
 *      (the only per-row data that leaves Postgres); a shorter window's sample is the part of the
 *      longest one's inside it, because the cap keeps the newest.
 */
export function createQualityReader(pool: Pool): QualityReader {
  return {
    async read(query, cap) {
      const windows = [...new Set(query.windowsMs)];
      const longest = Math.max(...windows);
      const params: unknown[] = [longest / 1000, ...windows.map((w) => w / 1000)];
      const inWindow = (i: number, alias = 'p') => `${alias}.created_at > now() - make_interval(secs => $${i + 2}::float8)`;
      const where = ['p.created_at > now() - make_interval(secs => $1::float8)'];
      if (query.modelName !== undefined) where.push(`p.model_name = $${params.push(query.modelName)}`);
      if (query.modelVersion !== undefined) where.push(`p.model_version = $${params.push(query.modelVersion)}`);
      const filter = where.join(' AND ');
      const perWindow = (fn: (i: number) => string) => windows.map((_, i) => fn(i)).join(',\n');

      return withTransaction(pool, async (tx) => {
        await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
        const asOf: Date = (await tx.query('SELECT now() AS as_of')).rows[0].as_of;
        const predicted = await tx.query(
          `SELECT p.model_name, p.model_version,
                  ${perWindow((i) => `count(*) FILTER (WHERE ${inWindow(i)})::int AS n${i}, count(*) FILTER (WHERE p.positive AND ${inWindow(i)})::int AS pos${i}`)}
             FROM monitoring.predictions p WHERE ${filter}
            GROUP BY p.model_name, p.model_version`,
          params,
        );
        const labelled = await tx.query(
          `SELECT p.model_name, p.model_version,
                  ${perWindow((i) => `count(*) FILTER (WHERE p.positive AND g.positive AND ${inWindow(i)})::int AS tp${i},
                  count(*) FILTER (WHERE p.positive AND NOT g.positive AND ${inWindow(i)})::int AS fp${i},
                  count(*) FILTER (WHERE NOT p.positive AND g.positive AND ${inWindow(i)})::int AS fn${i},
                  count(*) FILTER (WHERE NOT p.positive AND NOT g.positive AND ${inWindow(i)})::int AS tn${i},
                  coalesce(sum((p.score - g.positive::int) ^ 2) FILTER (WHERE ${inWindow(i)}), 0)::float8 AS brier${i}`)}
             FROM monitoring.ground_truth g JOIN monitoring.predictions p ON p.prediction_id = g.prediction_id
            WHERE g.positive IS NOT NULL AND ${filter}
            GROUP BY p.model_name, p.model_version`,
          params,
        );
        const sampled = await tx.query(
          `SELECT model_name, model_version, score, positive, created_at FROM (
             SELECT p.model_name, p.model_version, p.score, g.positive, p.created_at,
                    row_number() OVER (PARTITION BY p.model_name, p.model_version ORDER BY p.created_at DESC) AS n
               FROM monitoring.ground_truth g JOIN monitoring.predictions p ON p.prediction_id = g.prediction_id
              WHERE g.positive IS NOT NULL AND ${filter}) s
            WHERE n <= $${params.length + 1}`,
          [...params, cap],
        );

        const labels = new Map(labelled.rows.map((r) => [`${r.model_name}\u0000${r.model_version}`, r]));
        const counts: VersionCounts[] = [];
        for (const r of predicted.rows) {
          const l = labels.get(`${r.model_name}\u0000${r.model_version}`) ?? {};
          windows.forEach((windowMs, i) => {
            if (r[`n${i}`] === 0) return;
            counts.push({
              windowMs, modelName: r.model_name, modelVersion: r.model_version, predictions: r[`n${i}`], predictedPositive: r[`pos${i}`],
              tp: l[`tp${i}`] ?? 0, fp: l[`fp${i}`] ?? 0, fn: l[`fn${i}`] ?? 0, tn: l[`tn${i}`] ?? 0, brierSum: l[`brier${i}`] ?? 0,
            });
          });
        }
        const samples = new Map<string, ScoredLabel[]>();
        for (const r of sampled.rows) {
          for (const windowMs of windows) {
            if (r.created_at.getTime() <= asOf.getTime() - windowMs) continue;
            const key = sampleKey(windowMs, r.model_name, r.model_version);
            let list = samples.get(key);
            if (!list) samples.set(key, (list = []));
            list.push({ score: r.score, positive: r.positive });
          }
        }
        return { asOf, counts, samples };
      });
    },
    async knowsModel(modelName) {
      const { rows } = await pool.query('SELECT EXISTS (SELECT 1 FROM monitoring.predictions WHERE model_name = $1) AS known', [modelName]);
      return rows[0].known;
    },
  };
}

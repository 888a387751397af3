import { withTransaction, type Pool } from '@vigil/common';
import { sampleKey, type PairReader, type QualityReader, type ScoredLabel, type VersionCounts } from '../../domain/ports';
import { windowStart as startOf } from '../../domain/windows';

/** Where a window starts, as domain/windows.ts defines it: the start of the minute now − window falls in. */
const windowStart = (param: string) => `date_trunc('minute', now() - make_interval(secs => ${param}::float8))`;

/**
 * Quality inputs for several windows at once, from one REPEATABLE READ snapshot (so a label or a
 * batch landing in between cannot make the parts disagree), each a single pass over the longest
 * window with a FILTER per window:
 *   1. predictions and positive answers per version: sums of monitoring.prediction_minutes, a few
 *      thousand rows per version and week however many predictions there were;
 *   2. confusion counts and the Brier sum of the labelled predictions, driven by ground_truth;
 *   3. the scores and truths of the newest `cap` labelled predictions per version, for AUC (the
 *      only per-row data that leaves Postgres); a shorter window's sample is the part of the
 *      longest one's inside it, since the cap keeps the newest.
 * A window w covers the predictions made since the start of the minute now − w.
 */
export function createQualityReader(pool: Pool): QualityReader & PairReader {
  return {
    async read(query, cap) {
      const windows = [...new Set(query.windowsMs)];
      const filters = (alias: string, time: string) => {
        const params: unknown[] = [Math.max(...windows) / 1000];
        const where = [`${alias}.${time} >= ${windowStart('$1')}`];
        if (query.modelName !== undefined) where.push(`${alias}.model_name = $${params.push(query.modelName)}`);
        if (query.modelVersion !== undefined) where.push(`${alias}.model_version = $${params.push(query.modelVersion)}`);
        const first = params.length + 1;
        params.push(...windows.map((w) => w / 1000));
        const inWindow = (i: number) => `${alias}.${time} >= ${windowStart(`$${first + i}`)}`;
        return { where: where.join(' AND '), params, first, inWindow };
      };
      const perWindow = (fn: (i: number) => string) => windows.map((_, i) => fn(i)).join(',\n');

      return withTransaction(pool, async (tx) => {
        await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
        const asOf: Date = (await tx.query('SELECT now() AS as_of')).rows[0].as_of;
        const m = filters('m', 'minute');
        const predicted = await tx.query(
          `SELECT m.model_name, m.model_version,
                  ${perWindow((i) => `coalesce(sum(m.predictions) FILTER (WHERE ${m.inWindow(i)}), 0)::float8 AS n${i},
                  coalesce(sum(m.positives) FILTER (WHERE ${m.inWindow(i)}), 0)::float8 AS pos${i}`)}
             FROM monitoring.prediction_minutes m WHERE ${m.where}
            GROUP BY m.model_name, m.model_version`,
          m.params,
        );
        const p = filters('p', 'created_at');
        const labelled = await tx.query(
          `SELECT p.model_name, p.model_version,
                  ${perWindow((i) => `count(*) FILTER (WHERE p.positive AND g.positive AND ${p.inWindow(i)})::int AS tp${i},
                  count(*) FILTER (WHERE p.positive AND NOT g.positive AND ${p.inWindow(i)})::int AS fp${i},
                  count(*) FILTER (WHERE NOT p.positive AND g.positive AND ${p.inWindow(i)})::int AS fn${i},
                  count(*) FILTER (WHERE NOT p.positive AND NOT g.positive AND ${p.inWindow(i)})::int AS tn${i},
                  coalesce(sum((p.score - g.positive::int) ^ 2) FILTER (WHERE ${p.inWindow(i)}), 0)::float8 AS brier${i}`)}
             FROM monitoring.ground_truth g JOIN monitoring.predictions p ON p.prediction_id = g.prediction_id
            WHERE g.positive IS NOT NULL AND ${p.where}
            GROUP BY p.model_name, p.model_version`,
          p.params,
        );
        const sampleParams = p.params.slice(0, p.first - 1);
        const sampled = await tx.query(
          `SELECT model_name, model_version, score, positive, created_at FROM (
             SELECT p.model_name, p.model_version, p.score, g.positive, p.created_at,
                    row_number() OVER (PARTITION BY p.model_name, p.model_version ORDER BY p.created_at DESC) AS n
               FROM monitoring.ground_truth g JOIN monitoring.predictions p ON p.prediction_id = g.prediction_id
              WHERE g.positive IS NOT NULL AND ${p.where}) s
            WHERE n <= $${sampleParams.length + 1}`,
          [...sampleParams, cap],
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
          windows.forEach((windowMs) => {
            if (r.created_at < startOf(asOf, windowMs)) return;
            const key = sampleKey(windowMs, r.model_name, r.model_version);
            let list = samples.get(key);
            if (!list) samples.set(key, (list = []));
            list.push({ score: r.score, positive: r.positive });
          });
        }
        return { asOf, counts, samples };
      });
    },
    async labelledPairs(query, cap) {
      const params: unknown[] = [query.modelName, query.windowMs / 1000, cap];
      const version = query.modelVersion === undefined ? '' : `AND p.model_version = $${params.push(query.modelVersion)}`;
      const { rows } = await pool.query(
        `SELECT model_version, predicted, score, actual FROM (
           SELECT p.model_version, p.label AS predicted, p.score, g.label AS actual,
                  row_number() OVER (PARTITION BY p.model_version ORDER BY p.created_at DESC) AS n
             FROM monitoring.ground_truth g JOIN monitoring.predictions p ON p.prediction_id = g.prediction_id
            WHERE p.model_name = $1 AND p.created_at >= ${windowStart('$2')} ${version}) s
          WHERE n <= $3`,
        params,
      );
      return rows.map((r) => ({ modelVersion: r.model_version, predictedLabel: r.predicted, score: r.score, actualLabel: r.actual }));
    },
    async knowsModel(modelName) {
      const { rows } = await pool.query('SELECT EXISTS (SELECT 1 FROM monitoring.prediction_minutes WHERE model_name = $1) AS known', [modelName]);
      return rows[0].known;
    },
  };
}


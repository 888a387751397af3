import type { Pool, PoolClient } from '@vigil/common';
import type { GroundTruthStore, LabelRow, LabelTarget } from '../../domain/ports';

const LABEL_COLUMNS = `event_id uuid, prediction_id uuid, entity_id text, label text, positive boolean, source text, client_name text, observed_at timestamptz`;
const SET_CURRENT = `entity_id = coalesce(EXCLUDED.entity_id, ground_truth.entity_id), label = EXCLUDED.label, positive = EXCLUDED.positive,
  source = EXCLUDED.source, client_name = EXCLUDED.client_name, event_id = EXCLUDED.event_id, observed_at = EXCLUDED.observed_at, recorded_at = now()`;

const toTarget = (r: Record<string, any>): LabelTarget => ({ // eslint-disable-line @typescript-eslint/no-explicit-any
  predictionId: r.prediction_id, modelName: r.model_name, modelVersion: r.model_version, entityId: r.entity_id, createdAt: r.created_at,
});

const json = (rows: LabelRow[]) =>
  JSON.stringify(rows.map((r) => ({
    event_id: r.eventId, prediction_id: r.predictionId, entity_id: r.entityId, label: r.label, positive: r.positive, source: r.source,
    client_name: r.clientName, observed_at: r.observedAt,
  })));

/**
 * monitoring.ground_truth (current label per prediction, or per entity that matched none) and
 * monitoring.ground_truth_history (every label). Writes belong in a transaction: the feedback
 * consumer binds it to its inbox transaction, the feedback writer to the one that stages the
 * events. Each write is one statement however many labels it carries.
 */
export function createGroundTruthStore(db: Pool | PoolClient): GroundTruthStore {
  return {
    async findPredictions(ids) {
      const { rows } = await db.query(
        `SELECT prediction_id, model_name, model_version, entity_id, created_at FROM monitoring.predictions WHERE prediction_id = ANY($1::uuid[])`,
        [ids],
      );
      return rows.map(toTarget);
    },
    async findEntityPredictions(subjects, windowMs, modelName) {
      // Per subject, the newest prediction per model version in the window: a lateral index scan
      // on (entity_id, created_at) each.
      const { rows } = await db.query(
        `SELECT s.i, p.* FROM unnest($1::text[], $2::timestamptz[]) WITH ORDINALITY AS s(entity_id, observed_at, i)
         CROSS JOIN LATERAL (
           SELECT DISTINCT ON (model_name, model_version) prediction_id, model_name, model_version, entity_id, created_at
             FROM monitoring.predictions
            WHERE entity_id = s.entity_id AND created_at <= s.observed_at
              AND created_at > s.observed_at - make_interval(secs => $3::float8 / 1000)
              AND ($4::text IS NULL OR model_name = $4)
            ORDER BY model_name, model_version, created_at DESC) p`,
        [subjects.map((s) => s.entityId), subjects.map((s) => s.observedAt), windowMs, modelName ?? null],
      );
      const found: LabelTarget[][] = subjects.map(() => []);
      for (const r of rows) found[Number(r.i) - 1].push(toTarget(r));
      return found;
    },
    async seen(eventId) {
      const { rowCount } = await db.query('SELECT 1 FROM monitoring.ground_truth_history WHERE event_id = $1 LIMIT 1', [eventId]);
      return rowCount === 1;
    },
    async save(rows) {
      if (rows.length === 0) return;
      await db.query(
        `INSERT INTO monitoring.ground_truth_history (event_id, prediction_id, entity_id, label, positive, source, client_name, observed_at)
         SELECT * FROM json_to_recordset($1::json) AS r(${LABEL_COLUMNS})
         ON CONFLICT ON CONSTRAINT ground_truth_history_event DO NOTHING`,
        [json(rows)],
      );
      // ON CONFLICT DO UPDATE may touch a row once per statement: the last label per subject wins here.
      const current = new Map<string, LabelRow>();
      for (const r of rows) current.set(r.predictionId ?? `entity:${r.entityId}`, r);
      const perPrediction = [...current.values()].filter((r) => r.predictionId !== null);
      const perEntity = [...current.values()].filter((r) => r.predictionId === null);
      const upsert = (target: string) =>
        `INSERT INTO monitoring.ground_truth (event_id, prediction_id, entity_id, label, positive, source, client_name, observed_at)
         SELECT * FROM json_to_recordset($1::json) AS r(${LABEL_COLUMNS})
         ON CONFLICT ${target} DO UPDATE SET ${SET_CURRENT}`;
      if (perPrediction.length > 0) await db.query(upsert('(prediction_id) WHERE prediction_id IS NOT NULL'), [json(perPrediction)]);
      if (perEntity.length > 0) await db.query(upsert('(entity_id) WHERE prediction_id IS NULL'), [json(perEntity)]);
    },
  };
}

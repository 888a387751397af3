import type { Pool, PoolClient } from '@vigil/common';
import type { PendingLabelStore, PredictionStore } from '../../domain/ports';

/** How long after its arrival a label still waiting for its prediction is looked at again (the race it closes lasts milliseconds). */
const PENDING_SWEEP_WINDOW = '10 minutes';

/**
 * monitoring.predictions, bound to the batch inbox transaction. A batch is one INSERT: the rows
 * travel as one JSON document that Postgres expands (json_populate_recordset), one parameter
 * instead of eight arrays that pg would escape element by element.
 */
export function createPredictionStore(db: Pool | PoolClient): PredictionStore & PendingLabelStore {
  const resolveLabels = async (resolved: { id: string; positive: boolean | null }[]) => {
    const known = resolved.filter((r) => r.positive !== null);
    if (known.length === 0) return;
    await db.query(
      `UPDATE monitoring.ground_truth g SET positive = r.positive
         FROM unnest($1::bigint[], $2::boolean[]) AS r(id, positive) WHERE g.id = r.id`,
      [known.map((r) => r.id), known.map((r) => r.positive)],
    );
  };
  return {
    async save(predictions) {
      // The labels waiting for these predictions come back from the same statement: the join
      // reads the partial index ground_truth_pending, empty unless labels outran their predictions.
      const { rows } = await db.query(
        `WITH inserted AS (
           INSERT INTO monitoring.predictions (prediction_id, model_name, model_version, score, label, positive, entity_id, created_at)
           SELECT prediction_id, model_name, model_version, score, label, positive, entity_id, created_at
             FROM json_populate_recordset(NULL::monitoring.predictions, $1::json)
           ON CONFLICT (prediction_id) DO NOTHING
           RETURNING prediction_id)
         SELECT g.id::text, g.prediction_id, g.label FROM monitoring.ground_truth g JOIN inserted i ON i.prediction_id = g.prediction_id
          WHERE g.positive IS NULL AND g.prediction_id IS NOT NULL`,
        [JSON.stringify(predictions.map((p) => ({
          prediction_id: p.predictionId, model_name: p.modelName, model_version: p.modelVersion, score: p.score, label: p.label,
          positive: p.positive, entity_id: p.entityId, created_at: p.createdAt,
        })))],
      );
      return rows.map((r) => ({ id: r.id, predictionId: r.prediction_id, label: r.label }));
    },
    resolveLabels,
    async recentPending() {
      const { rows } = await db.query(
        `SELECT g.id::text, p.model_name, g.label FROM monitoring.ground_truth g
           JOIN monitoring.predictions p ON p.prediction_id = g.prediction_id
          WHERE g.positive IS NULL AND g.prediction_id IS NOT NULL AND g.recorded_at > now() - interval '${PENDING_SWEEP_WINDOW}'`,
      );
      return rows.map((r) => ({ id: r.id, modelName: r.model_name, label: r.label }));
    },
  };
}

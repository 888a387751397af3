import type { PoolClient } from '@vigil/common';
import type { GroundTruthStore } from '../../domain/ports';

/** Bound to the inbox transaction, so the row and the inbox mark commit together. */
export function createGroundTruthStore(tx: PoolClient): GroundTruthStore {
  return {
    async save(t) {
      await tx.query(
        `INSERT INTO monitoring.ground_truth (event_id, prediction_id, entity_id, label, source, client_name, occurred_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [t.eventId, t.predictionId, t.entityId, t.label, t.source, t.clientName, t.occurredAt],
      );
    },
  };
}

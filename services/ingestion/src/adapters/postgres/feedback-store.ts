import { stageEvent, TOPICS, withTransaction, type Pool } from '@vigil/common';
import type { FeedbackStore } from '../../domain/ports';

export function createFeedbackStore(pool: Pool, options: { onCommitted?: () => void } = {}): FeedbackStore {
  return {
    async save(feedback) {
      await withTransaction(pool, async (tx) => {
        await tx.query(
          `INSERT INTO ingestion.feedback (id, prediction_id, entity_id, label, source, client_name, received_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [feedback.id, feedback.predictionId, feedback.entityId, feedback.label, feedback.source, feedback.clientName, feedback.receivedAt],
        );
        await stageEvent(tx, 'ingestion', 'ingestion', TOPICS.feedbackReceived, {
          predictionId: feedback.predictionId ?? '',
          entityId: feedback.entityId ?? '',
          label: feedback.label,
          source: feedback.source,
          clientName: feedback.clientName,
        });
      });
      options.onCommitted?.();
    },
  };
}

import { stageEvents, TOPICS, withTransaction, type Pool } from '@vigil/common';
import type { FeedbackWriter } from '../../domain/ports';
import { createGroundTruthStore } from './ground-truth-store';

/**
 * Labels posted to monitoring: in one transaction, a FeedbackReceived per accepted item into the
 * outbox and its label rows under that event's id — which is how monitoring's own feedback
 * consumer recognises the event when it comes back from Kafka, and skips it.
 */
export function createFeedbackWriter(pool: Pool, options: { onCommitted?: () => void } = {}): FeedbackWriter {
  const lookup = createGroundTruthStore(pool);
  return {
    findPredictions: (ids) => lookup.findPredictions(ids),
    findEntityPredictions: (subjects, windowMs, modelName) => lookup.findEntityPredictions(subjects, windowMs, modelName),
    async save(accepted, clientName) {
      await withTransaction(pool, async (tx) => {
        const eventIds = await stageEvents(tx, 'monitoring', 'monitoring', TOPICS.feedbackReceived, accepted.map((a) => ({ ...a.event, clientName })));
        await createGroundTruthStore(tx).save(accepted.flatMap((a, i) => a.rows.map((r) => ({ ...r, eventId: eventIds[i], clientName }))));
      });
      options.onCommitted?.();
    },
  };
}

import { decodeEvent, timestampDate, TOPICS, VigilError, type InboxHandler } from '@vigil/common';
import { createGroundTruthStore } from '../adapters/postgres/ground-truth-store';
import type { TaskConfigs } from '../domain/ports';
import { DEFAULT_LABEL_WINDOW_MS, recordGroundTruth } from '../domain/record-ground-truth';

export const FEEDBACK_CONSUMER = 'monitoring.feedback-received';

/** vigil.feedback.received.v1 → monitoring.ground_truth (+ history), in the inbox transaction. */
export function createFeedbackReceivedHandler(options: { entityWindowMs: number; tasks?: TaskConfigs }): InboxHandler {
  return async (message, tx) => {
    let event;
    try {
      event = decodeEvent(TOPICS.feedbackReceived, message.value);
    } catch (err) {
      throw new VigilError('VIGIL_VALIDATION', `undecodable FeedbackReceived: ${(err as Error).message}`, { cause: err });
    }
    await recordGroundTruth(
      {
        eventId: message.eventId,
        predictionId: event.predictionId || null,
        entityId: event.entityId || null,
        label: event.label,
        source: event.source || 'unknown',
        clientName: event.clientName,
        occurredAt: event.meta?.occurredAt ? timestampDate(event.meta.occurredAt) : new Date(),
      },
      { store: createGroundTruthStore(tx), entityWindowMs: options.entityWindowMs, tasks: options.tasks },
    );
  };
}

/** The handler with the default label window (90 days), for tests and tools that wire it alone. */
export const handleFeedbackReceived: InboxHandler = createFeedbackReceivedHandler({ entityWindowMs: DEFAULT_LABEL_WINDOW_MS });

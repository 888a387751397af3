import { encodeEvent, newMeta, TOPICS } from '@vigil/common';
import type { OutgoingMessage } from '@vigil/common';

/** A well-formed FeedbackReceived message as the ingestion outbox would publish it, on `topic`. */
export function feedbackMessage(topic: string, entityId: string, label = 'Yes'): { eventId: string; message: OutgoingMessage } {
  const meta = newMeta('test');
  const value = encodeEvent(TOPICS.feedbackReceived, { meta, entityId, label, source: 'test', clientName: 'test-client' });
  return {
    eventId: meta.eventId,
    message: { topic, key: entityId, value: Buffer.from(value), headers: { 'vigil-event-id': meta.eventId, 'vigil-producer': 'test' } },
  };
}

import { VigilError } from '@vigil/common';
import type { Clock, Feedback, FeedbackStore, IdGenerator } from './ports';

export interface FeedbackInput {
  predictionId?: string;
  entityId?: string;
  label: string;
  source?: string;
}

export interface RecordFeedbackDeps {
  store: FeedbackStore;
  clock: Clock;
  ids: IdGenerator;
}

/**
 * Accepts a ground-truth label for a prediction (or for an entity such as a customer, when the
 * prediction id is not known to the caller) and hands it to monitoring through the outbox.
 */
export async function recordFeedback(input: FeedbackInput, clientName: string, deps: RecordFeedbackDeps): Promise<Feedback> {
  const label = input.label.trim();
  if (!input.predictionId && !input.entityId) {
    throw new VigilError('VIGIL_VALIDATION', 'Feedback needs a predictionId or an entityId');
  }
  if (label === '') throw new VigilError('VIGIL_VALIDATION', 'label must not be blank');
  const feedback: Feedback = {
    id: deps.ids.newId(),
    predictionId: input.predictionId ?? null,
    entityId: input.entityId ?? null,
    label,
    source: input.source ?? 'api',
    clientName,
    receivedAt: deps.clock.now(),
  };
  await deps.store.save(feedback);
  return feedback;
}

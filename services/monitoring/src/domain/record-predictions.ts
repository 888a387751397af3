import { VigilError } from '@vigil/common';
import { interpretPrediction, labelIsPositive, type PredictionEvent } from './model-classes';
import type { PendingLabelStore, PredictionStore } from './ports';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function check(e: PredictionEvent): void {
  const id = JSON.stringify(e.predictionId);
  if (!UUID.test(e.predictionId)) throw new VigilError('VIGIL_VALIDATION', `prediction id ${id} is not a UUID`);
  if (e.modelName.trim() === '' || e.modelVersion.trim() === '') throw new VigilError('VIGIL_VALIDATION', `prediction ${id} names no model version`);
  // A regression's score is its value (the output carries `value`); anything else scores a probability.
  const regression = typeof e.output.value === 'number';
  if (!Number.isFinite(e.score) || (!regression && (e.score < 0 || e.score > 1))) {
    throw new VigilError('VIGIL_VALIDATION', `prediction ${id} has score ${e.score}, not a probability`);
  }
}

/**
 * Stores a batch of predictions (one statement), then gives labels that arrived before their
 * prediction (a FeedbackReceived consumed ahead of its PredictionMade) their meaning for the
 * model. An event that cannot be right is rejected as non-retryable: the batch inbox then
 * processes the batch event by event and dead-letters that one.
 */
export async function recordPredictions(events: PredictionEvent[], store: PredictionStore): Promise<void> {
  events.forEach(check);
  const predictions = events.map(interpretPrediction);
  const pending = await store.save(predictions);
  if (pending.length === 0) return;
  const modelOf = new Map(predictions.map((p) => [p.predictionId, p.modelName]));
  await store.resolveLabels(pending.map((l) => ({ id: l.id, positive: labelIsPositive(modelOf.get(l.predictionId) ?? '', l.label) })));
}

/**
 * A label and its prediction committed at the same moment by two consumers can each miss the
 * other (neither transaction sees the other's row), leaving the label without its meaning. The
 * quality refresher sweeps recent such labels on every pass.
 */
export async function resolvePendingLabels(store: PendingLabelStore): Promise<number> {
  const pending = await store.recentPending();
  const resolved = pending.map((l) => ({ id: l.id, positive: labelIsPositive(l.modelName, l.label) })).filter((r) => r.positive !== null);
  if (resolved.length > 0) await store.resolveLabels(resolved);
  return resolved.length;
}

import { VigilError } from '@vigil/common';
import type { GroundTruth, GroundTruthStore } from './ports';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Records a ground-truth label. An event that cannot be right (no subject, blank label, a
 * prediction id that is not a UUID) is rejected as non-retryable, so it goes to the dead-letter
 * topic instead of blocking the partition.
 */
export async function recordGroundTruth(truth: GroundTruth, store: GroundTruthStore): Promise<void> {
  if (!truth.predictionId && !truth.entityId) {
    throw new VigilError('VIGIL_VALIDATION', 'feedback names neither a prediction nor an entity');
  }
  if (truth.predictionId && !UUID.test(truth.predictionId)) {
    throw new VigilError('VIGIL_VALIDATION', `prediction id ${JSON.stringify(truth.predictionId)} is not a UUID`);
  }
  if (truth.label.trim() === '') throw new VigilError('VIGIL_VALIDATION', 'feedback label is blank');
  await store.save(truth);
}

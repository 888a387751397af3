import { VigilError } from '@vigil/common';
import { labelIsPositive } from './model-classes';
import type { TaskConfigs } from './ports';
import { labelMeaning } from './task-quality';

/** Without the registry (older wiring, unit tests) a label is read in the built-in vocabulary. */
const meaningOf = async (t: { modelName: string; modelVersion: string }, label: string, tasks?: TaskConfigs) =>
  tasks ? labelMeaning(t, label, tasks) : { positive: labelIsPositive(t.modelName, label) };
import type { GroundTruth, GroundTruthStore, LabelRow } from './ports';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** How far back a customer's label reaches by default: a quarter covers a monthly-billed customer's notice period and the weekly scores before it. */
export const DEFAULT_LABEL_WINDOW_DAYS = 90;
export const DEFAULT_LABEL_WINDOW_MS = DEFAULT_LABEL_WINDOW_DAYS * 86_400_000;

export interface RecordGroundTruthDeps {
  /** Bound to the inbox transaction of the event. */
  store: GroundTruthStore;
  /** How far before the label an entity's predictions are looked for (the churn label window). */
  entityWindowMs: number;
  /** The registry's version configs: a version that answers by task reads labels in its own classes. */
  tasks?: TaskConfigs;
}

/**
 * Records a label that arrived as a FeedbackReceived event (ingestion's POST /v1/feedback, or
 * monitoring's own, which is already stored and skipped by event id). A label for a prediction
 * id becomes that prediction's current label; if monitoring has not seen the prediction yet, the
 * label waits (positive unknown) and the prediction consumer resolves it. A label for an entity
 * applies, as in POST /v1/feedback, to the entity's latest prediction per model version in the
 * window before it, where the label means something to the model; when none matches it is kept
 * as the entity's label, in no metric. An event that cannot be right (no subject, blank label, a
 * prediction id that is not a UUID) is rejected as non-retryable, so it goes to the dead-letter
 * topic instead of blocking the partition. Returns how many rows it stored.
 */
export async function recordGroundTruth(truth: GroundTruth, deps: RecordGroundTruthDeps): Promise<number> {
  if (!truth.predictionId && !truth.entityId) {
    throw new VigilError('VIGIL_VALIDATION', 'feedback names neither a prediction nor an entity');
  }
  if (truth.predictionId && !UUID.test(truth.predictionId)) {
    throw new VigilError('VIGIL_VALIDATION', `prediction id ${JSON.stringify(truth.predictionId)} is not a UUID`);
  }
  const label = truth.label.trim();
  if (label === '') throw new VigilError('VIGIL_VALIDATION', 'feedback label is blank');
  const { store } = deps;
  if (await store.seen(truth.eventId)) return 0;

  const row = (over: Partial<LabelRow>): LabelRow => ({
    eventId: truth.eventId, predictionId: null, entityId: truth.entityId, label, positive: null, source: truth.source,
    clientName: truth.clientName, observedAt: truth.occurredAt, ...over,
  });
  let rows: LabelRow[];
  if (truth.predictionId) {
    const [target] = await store.findPredictions([truth.predictionId]);
    rows = [row({
      predictionId: truth.predictionId,
      entityId: truth.entityId ?? target?.entityId ?? null,
      positive: target ? (await meaningOf(target, label, deps.tasks)).positive : null,
    })];
  } else {
    const [targets] = await store.findEntityPredictions([{ entityId: truth.entityId!, observedAt: truth.occurredAt }], deps.entityWindowMs);
    rows = (await Promise.all(targets.map(async (t) => row({ predictionId: t.predictionId, positive: (await meaningOf(t, label, deps.tasks)).positive }))))
      .filter((r) => r.positive !== null);
    if (rows.length === 0) rows = [row({})];
  }
  await store.save(rows);
  return rows.length;
}

import { VigilError } from '@vigil/common';
import { CHURN_MODEL } from './model-classes';
import type { AcceptedFeedback, FeedbackWriter, LabelTarget, TaskConfigs } from './ports';
import { labelMeaning } from './task-quality';

export const MAX_FEEDBACK_ITEMS = 10_000;

export interface PredictionFeedback {
  predictionId: string;
  /** A class label, true/false, or a number for a regression. */
  label: boolean | string | number;
  source?: string;
  /** When the truth was established; defaults to now. */
  observedAt?: Date;
}

export interface CustomerFeedback {
  customerID: string;
  churned: boolean;
  source?: string;
  observedAt?: Date;
}

export type FeedbackItem = PredictionFeedback | CustomerFeedback;

export type ItemRef = { index: number; predictionId: string } | { index: number; customerID: string };

export interface FeedbackResult {
  /** Items stored, each announced by one FeedbackReceived event. */
  accepted: number;
  /** Predictions whose current label they set. */
  labelled: number;
  /** Items naming a prediction monitoring has not stored, or a customer with no churn prediction in the window. */
  unknown: ItemRef[];
  /** Items whose label means nothing to the prediction's model (e.g. "normal" for the bacterial/viral model). */
  rejected: (ItemRef & { reason: string })[];
}

export interface RecordFeedbackDeps {
  writer: FeedbackWriter;
  now: () => Date;
  /** A customer's label applies to their churn predictions made up to this long before observedAt. */
  churnWindowMs: number;
  /** What each version is: a version that answers by its task takes labels in its own classes (or numbers). */
  tasks: TaskConfigs;
}

const DEFAULT_SOURCE = 'api';
const isCustomer = (item: FeedbackItem): item is CustomerFeedback => 'customerID' in item;

/**
 * POST /v1/feedback in monitoring: labels for predictions (by id) or churn outcomes for customers.
 * A customer's outcome observed at T applies to their latest churn prediction per model version
 * made in (T − window, T] — each version is judged once per customer, on its most recent forecast
 * before the outcome was known. Nothing is dropped silently: items naming something monitoring
 * does not know come back as `unknown`, labels that mean nothing to the model as `rejected`; the
 * rest are stored together with their FeedbackReceived events in one transaction.
 */
export async function recordFeedback(items: FeedbackItem[], clientName: string, deps: RecordFeedbackDeps): Promise<FeedbackResult> {
  if (items.length === 0 || items.length > MAX_FEEDBACK_ITEMS) {
    throw new VigilError('VIGIL_VALIDATION', `Send 1 to ${MAX_FEEDBACK_ITEMS} feedback items`);
  }
  const now = deps.now();
  const byPrediction = items.flatMap((item, index) => (isCustomer(item) ? [] : [{ item, index }]));
  const byCustomer = items.flatMap((item, index) => (isCustomer(item) ? [{ item, index }] : []));
  const [found, perCustomer] = await Promise.all([
    byPrediction.length > 0 ? deps.writer.findPredictions([...new Set(byPrediction.map(({ item }) => item.predictionId.toLowerCase()))]) : [],
    byCustomer.length > 0
      ? deps.writer.findEntityPredictions(byCustomer.map(({ item }) => ({ entityId: item.customerID, observedAt: item.observedAt ?? now })), deps.churnWindowMs, CHURN_MODEL)
      : [],
  ]);
  const targets = new Map<string, LabelTarget>(found.map((t) => [t.predictionId.toLowerCase(), t]));

  const result: FeedbackResult = { accepted: 0, labelled: 0, unknown: [], rejected: [] };
  const accepted: { index: number; feedback: AcceptedFeedback }[] = [];
  for (const { item, index } of byPrediction) {
    const ref = { index, predictionId: item.predictionId };
    const target = targets.get(item.predictionId.toLowerCase());
    if (!target) {
      result.unknown.push(ref);
      continue;
    }
    const meaning = await labelMeaning(target, item.label, deps.tasks);
    if (!meaning.fits) {
      result.rejected.push({ ...ref, reason: `label ${JSON.stringify(item.label)} means nothing to model ${target.modelName} (${meaning.expected})` });
      continue;
    }
    const { label, positive } = meaning;
    const source = item.source ?? DEFAULT_SOURCE;
    accepted.push({
      index,
      feedback: {
        event: { predictionId: target.predictionId, entityId: '', label, source },
        rows: [{ predictionId: target.predictionId, entityId: target.entityId, label, positive, source, observedAt: item.observedAt ?? now }],
      },
    });
  }
  byCustomer.forEach(({ item, index }, i) => {
    const matched = perCustomer[i];
    if (matched.length === 0) {
      result.unknown.push({ index, customerID: item.customerID });
      return;
    }
    const label = item.churned ? 'churned' : 'not-churned';
    const source = item.source ?? DEFAULT_SOURCE;
    const observedAt = item.observedAt ?? now;
    accepted.push({
      index,
      feedback: {
        event: { predictionId: '', entityId: item.customerID, label, source },
        rows: matched.map((t) => ({ predictionId: t.predictionId, entityId: item.customerID, label, positive: item.churned, source, observedAt })),
      },
    });
  });
  // Request order, so that a later item about the same prediction replaces an earlier one.
  accepted.sort((a, b) => a.index - b.index);
  result.unknown.sort((a, b) => a.index - b.index);
  result.rejected.sort((a, b) => a.index - b.index);
  if (accepted.length > 0) await deps.writer.save(accepted.map((a) => a.feedback), clientName);
  result.accepted = accepted.length;
  result.labelled = new Set(accepted.flatMap((a) => a.feedback.rows.map((r) => r.predictionId))).size;
  return result;
}

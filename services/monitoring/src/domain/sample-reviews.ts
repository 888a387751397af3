import { createHash } from 'node:crypto';
import { VigilError } from '@vigil/common';
import { interpretPrediction, type PredictionEvent } from './model-classes';
import type { ReviewCandidate } from './review-ports';

/** "churn=0.005,xray-pneumonia=0.1": per-model rates in [0, 1]. */
export const REVIEW_RATES_PATTERN = '^[a-z0-9][a-z0-9_-]{0,63}=(0(\\.[0-9]+)?|1(\\.0+)?)(,[a-z0-9][a-z0-9_-]{0,63}=(0(\\.[0-9]+)?|1(\\.0+)?))*$';

export interface ReviewPolicy {
  /** Share of predictions sampled for review, for models without their own rate. */
  defaultRate: number;
  rates: Record<string, number>;
}

export function parseReviewRates(text: string | undefined): Record<string, number> {
  if (!text) return {};
  if (!new RegExp(REVIEW_RATES_PATTERN).test(text)) throw new VigilError('VIGIL_VALIDATION', `review rates ${JSON.stringify(text)} are not like "churn=0.01,xray-pneumonia=0.1"`);
  return Object.fromEntries(text.split(',').map((pair) => [pair.split('=')[0], Number(pair.split('=')[1])]));
}

/**
 * Where a prediction falls in [0, 1): the first 48 bits of the SHA-256 of its id. Every replica,
 * and every redelivery of the event, computes the same value, so the sample is the same set of
 * predictions wherever and however often it is drawn; and ids are random, so it is a fair sample.
 */
export function sampleFraction(predictionId: string): number {
  return createHash('sha256').update(predictionId.toLowerCase()).digest().readUIntBE(0, 6) / 2 ** 48;
}

const rateOf = (policy: ReviewPolicy, modelName: string) => policy.rates[modelName] ?? policy.defaultRate;

/**
 * The predictions of a batch that go to the review queue. A low-confidence answer (the X-ray
 * models say so in `output.confidence`; inference has already raised an alert for it) always goes
 * in: a clinician looks at it anyway, and the label they give is the ground truth the model
 * most needs. Of the others, the model's rate is sampled by sampleFraction — so the confident
 * answers are audited too, without bias towards any kind of input.
 */
export function pickForReview(events: readonly PredictionEvent[], policy: ReviewPolicy): ReviewCandidate[] {
  const picked: ReviewCandidate[] = [];
  for (const e of events) {
    const low = e.output.confidence === 'low';
    if (!low && !(sampleFraction(e.predictionId) < rateOf(policy, e.modelName))) continue;
    const p = interpretPrediction(e);
    picked.push({
      predictionId: e.predictionId, modelName: e.modelName, modelVersion: e.modelVersion, reason: low ? 'low_confidence' : 'sampled',
      score: p.score, predictedLabel: p.label, entityId: e.entityId, predictedAt: e.createdAt,
    });
  }
  return picked;
}

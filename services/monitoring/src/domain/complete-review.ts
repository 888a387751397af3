import { VigilError } from '@vigil/common';
import { describeClasses, labelIsPositive } from './model-classes';
import type { Review, ReviewStore } from './review-ports';

/** The feedback source of a label given in the review queue. */
export const REVIEW_SOURCE = 'review';

export interface CompleteReviewInput {
  reviewId: string;
  label: boolean | string;
  /** Who reviewed; defaults to the API client. */
  reviewer?: string;
  clientName: string;
}

/**
 * POST /v1/reviews/{id}: a person's verdict on a queued prediction. The label becomes ground
 * truth exactly as POST /v1/feedback would make it — a FeedbackReceived event (source 'review')
 * and the prediction's current label — in the transaction that closes the review. A review is
 * answered once: a second verdict is a conflict (post it to /v1/feedback to correct a label).
 */
export async function completeReview(input: CompleteReviewInput, deps: { reviews: ReviewStore; now: () => Date }): Promise<Review> {
  const review = await deps.reviews.get(input.reviewId);
  if (!review) throw new VigilError('VIGIL_NOT_FOUND', `No review ${input.reviewId}`);
  const done = () => new VigilError('VIGIL_CONFLICT', `Review ${input.reviewId} was already answered`);
  if (review.status === 'done') throw done();
  const positive = labelIsPositive(review.modelName, input.label);
  if (positive === null) {
    throw new VigilError('VIGIL_VALIDATION', `label ${JSON.stringify(input.label)} means nothing to model ${review.modelName} (${describeClasses(review.modelName)})`);
  }
  const label = String(input.label);
  const reviewer = input.reviewer?.trim() || input.clientName;
  const completed = await deps.reviews.complete(
    input.reviewId,
    { reviewer, label },
    {
      event: { predictionId: review.predictionId, entityId: '', label, source: REVIEW_SOURCE },
      rows: [{ predictionId: review.predictionId, entityId: review.entityId, label, positive, source: REVIEW_SOURCE, observedAt: deps.now() }],
    },
    input.clientName,
  );
  if (!completed) throw done();
  return completed;
}

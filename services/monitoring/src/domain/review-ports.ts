/** What the review queue (human validation of sampled predictions) needs from the outside world. */
import type { AcceptedFeedback } from './ports';

export const REVIEW_REASONS = ['sampled', 'low_confidence'] as const;
export type ReviewReason = (typeof REVIEW_REASONS)[number];
export const REVIEW_STATUSES = ['open', 'done'] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];

/** A prediction chosen for review, with what the model answered so the reviewer sees it. */
export interface ReviewCandidate {
  predictionId: string;
  modelName: string;
  modelVersion: string;
  reason: ReviewReason;
  /** Probability of the model's positive class. */
  score: number;
  predictedLabel: string;
  entityId: string | null;
  predictedAt: Date;
}

export interface Review extends ReviewCandidate {
  reviewId: string;
  status: ReviewStatus;
  reviewer: string | null;
  label: string | null;
  /** The FeedbackReceived event that carried the reviewer's label. */
  feedbackEventId: string | null;
  createdAt: Date;
  reviewedAt: Date | null;
}

export interface ReviewFilter {
  status?: ReviewStatus;
  modelName?: string;
  limit: number;
}

export interface ReviewQueue {
  /** Queues each candidate unless its prediction is queued already (one statement); returns how many were new. */
  enqueue(candidates: ReviewCandidate[]): Promise<number>;
}

export interface ReviewStore {
  /** Oldest first: the order a queue is worked in. */
  list(filter: ReviewFilter): Promise<Review[]>;
  get(reviewId: string): Promise<Review | null>;
  /**
   * One transaction: marks the review done if it is still open, stages the FeedbackReceived event
   * and stores the label rows under its id (the path POST /v1/feedback takes). Null when the
   * review was no longer open (someone else finished it first).
   */
  complete(reviewId: string, result: { reviewer: string; label: string }, feedback: AcceptedFeedback, clientName: string): Promise<Review | null>;
}

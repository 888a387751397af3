import { decodeEvent, timestampDate, TOPICS, type IncomingMessage } from '@vigil/common';
import type { Logger } from 'pino';
import type { PredictionEvent } from '../domain/model-classes';
import type { ReviewQueue } from '../domain/review-ports';
import { pickForReview, type ReviewPolicy } from '../domain/sample-reviews';

/** Its own consumer group on vigil.prediction.made.v1, beside the quality consumer (monitoring.prediction-made). */
export const REVIEW_CONSUMER = 'monitoring.review-sampler';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * vigil.prediction.made.v1 → monitoring.reviews, a fetched batch at a time. No inbox: choosing is
 * deterministic per prediction id and a prediction is queued once (unique prediction_id), so a
 * redelivered batch changes nothing — and the ~98% of events not chosen write nothing at all. An
 * event that cannot be decoded is skipped here (the quality consumer dead-letters it); a database
 * error fails the batch, which Kafka then delivers again.
 */
export function createReviewSamplerHandler(deps: { queue: ReviewQueue; policy: ReviewPolicy; logger: Logger }) {
  const log = deps.logger.child({ consumer: REVIEW_CONSUMER });
  return async (messages: IncomingMessage[]): Promise<void> => {
    const events: PredictionEvent[] = [];
    for (const message of messages) {
      if (!message.value) continue;
      let e;
      try {
        e = decodeEvent(TOPICS.predictionMade, message.value);
      } catch (err) {
        log.warn({ err, partition: message.partition, offset: message.offset }, 'undecodable PredictionMade; not sampled for review');
        continue;
      }
      if (!UUID.test(e.predictionId) || !e.modelName || !e.modelVersion) continue;
      events.push({
        predictionId: e.predictionId, modelName: e.modelName, modelVersion: e.modelVersion, score: e.score, label: e.label,
        output: e.output ?? {}, entityId: e.entityId || null,
        createdAt: e.meta?.occurredAt ? timestampDate(e.meta.occurredAt) : new Date(),
      });
    }
    const queued = await deps.queue.enqueue(pickForReview(events, deps.policy));
    if (queued > 0) log.debug({ queued }, 'predictions queued for review');
  };
}

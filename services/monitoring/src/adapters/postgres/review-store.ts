import { stageEvents, TOPICS, withTransaction, type Pool } from '@vigil/common';
import type { Review, ReviewQueue, ReviewStore } from '../../domain/review-ports';
import { createGroundTruthStore } from './ground-truth-store';

const toReview = (r: Record<string, any>): Review => ({ // eslint-disable-line @typescript-eslint/no-explicit-any
  reviewId: r.id, predictionId: r.prediction_id, modelName: r.model_name, modelVersion: r.model_version, reason: r.reason, status: r.status,
  score: r.score, predictedLabel: r.predicted_label, entityId: r.entity_id, predictedAt: r.predicted_at,
  reviewer: r.reviewer, label: r.label, feedbackEventId: r.feedback_event_id, createdAt: r.created_at, reviewedAt: r.reviewed_at,
});

/** monitoring.reviews, filled by the review sampler: one statement per batch, a prediction queued once (unique prediction_id). */
export function createReviewQueue(pool: Pool): ReviewQueue {
  return {
    async enqueue(candidates) {
      if (candidates.length === 0) return 0;
      const { rowCount } = await pool.query(
        `INSERT INTO monitoring.reviews (prediction_id, model_name, model_version, reason, score, predicted_label, entity_id, predicted_at)
         SELECT prediction_id, model_name, model_version, reason, score, predicted_label, entity_id, predicted_at
           FROM json_to_recordset($1::json) AS r(prediction_id uuid, model_name text, model_version text, reason text, score float8,
                                                  predicted_label text, entity_id text, predicted_at timestamptz)
         ON CONFLICT (prediction_id) DO NOTHING`,
        [JSON.stringify(candidates.map((c) => ({
          prediction_id: c.predictionId, model_name: c.modelName, model_version: c.modelVersion, reason: c.reason, score: c.score,
          predicted_label: c.predictedLabel, entity_id: c.entityId, predicted_at: c.predictedAt,
        })))],
      );
      return rowCount ?? 0;
    },
  };
}

/**
 * The review queue as reviewers work it. Completing a review writes the label the way the feedback
 * writer does (FeedbackReceived into the outbox, label rows under its event id, which is how the
 * feedback consumer recognises and skips the event when it comes back), in the transaction that
 * closes the review; `onCommitted` runs after (kick the relay and the quality refresher).
 */
export function createReviewStore(pool: Pool, options: { onCommitted?: () => void } = {}): ReviewStore {
  return {
    async list(filter) {
      const params: unknown[] = [filter.limit];
      const where = ['true'];
      if (filter.status !== undefined) where.push(`status = $${params.push(filter.status)}`);
      if (filter.modelName !== undefined) where.push(`model_name = $${params.push(filter.modelName)}`);
      const { rows } = await pool.query(`SELECT * FROM monitoring.reviews WHERE ${where.join(' AND ')} ORDER BY created_at, id LIMIT $1`, params);
      return rows.map(toReview);
    },
    async get(reviewId) {
      const { rows } = await pool.query('SELECT * FROM monitoring.reviews WHERE id = $1', [reviewId]);
      return rows[0] ? toReview(rows[0]) : null;
    },
    async complete(reviewId, result, feedback, clientName) {
      const done = await withTransaction(pool, async (tx) => {
        // The row lock makes a concurrent answer wait here, then find the review done.
        const closed = await tx.query(
          `UPDATE monitoring.reviews SET status = 'done', reviewer = $2, label = $3, reviewed_at = now() WHERE id = $1 AND status = 'open' RETURNING id`,
          [reviewId, result.reviewer, result.label],
        );
        if (closed.rowCount === 0) return null;
        const [eventId] = await stageEvents(tx, 'monitoring', 'monitoring', TOPICS.feedbackReceived, [{ ...feedback.event, clientName }]);
        await createGroundTruthStore(tx).save(feedback.rows.map((r) => ({ ...r, eventId, clientName })));
        const { rows } = await tx.query('UPDATE monitoring.reviews SET feedback_event_id = $2 WHERE id = $1 RETURNING *', [reviewId, eventId]);
        return toReview(rows[0]);
      });
      if (done) options.onCommitted?.();
      return done;
    },
  };
}

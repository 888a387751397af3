import { Type, type VigilRoutes } from '@vigil/common';
import { completeReview } from '../domain/complete-review';
import { REVIEW_REASONS, REVIEW_STATUSES, type Review, type ReviewStore } from '../domain/review-ports';

const DEFAULT_LIMIT = 100;

const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);

const ReviewView = Type.Object({
  reviewId: Type.String({ format: 'uuid' }),
  predictionId: Type.String({ format: 'uuid' }),
  model: Type.Object({ name: Type.String(), version: Type.String() }),
  reason: Type.Union(REVIEW_REASONS.map((r) => Type.Literal(r)), {
    description: 'low_confidence: the model was unsure (always queued); sampled: a random share of the confident answers (REVIEW_SAMPLE_RATE)',
  }),
  status: Type.Union(REVIEW_STATUSES.map((s) => Type.Literal(s))),
  prediction: Type.Object({
    score: Type.Number({ description: 'Probability of the model’s positive class' }),
    label: Type.String({ description: 'What the model answered' }),
    entityId: Nullable(Type.String({ description: 'Customer id, X-ray study id or accession number' })),
    createdAt: Type.String({ format: 'date-time' }),
  }),
  reviewer: Nullable(Type.String()),
  label: Nullable(Type.String({ description: 'The reviewer’s label, stored as ground truth (source: review)' })),
  feedbackEventId: Nullable(Type.String({ format: 'uuid', description: 'The FeedbackReceived event that carried the label' })),
  createdAt: Type.String({ format: 'date-time' }),
  reviewedAt: Nullable(Type.String({ format: 'date-time' })),
});

const view = (r: Review) => ({
  reviewId: r.reviewId,
  predictionId: r.predictionId,
  model: { name: r.modelName, version: r.modelVersion },
  reason: r.reason,
  status: r.status,
  prediction: { score: r.score, label: r.predictedLabel, entityId: r.entityId, createdAt: r.predictedAt.toISOString() },
  reviewer: r.reviewer,
  label: r.label,
  feedbackEventId: r.feedbackEventId,
  createdAt: r.createdAt.toISOString(),
  reviewedAt: r.reviewedAt?.toISOString() ?? null,
});

export interface ReviewRouteDeps {
  reviews: ReviewStore;
  now: () => Date;
}

/** GET /v1/reviews (the queue) and POST /v1/reviews/{id} (a person's label, which becomes ground truth). */
export const reviewRoutes: VigilRoutes<ReviewRouteDeps> = async (app, deps) => {
  app.get(
    '/v1/reviews',
    {
      config: { scopes: ['monitoring:read'] },
      schema: {
        tags: ['reviews'],
        summary: 'Predictions queued for human review, oldest first',
        querystring: Type.Object(
          {
            status: Type.Optional(Type.Union(REVIEW_STATUSES.map((s) => Type.Literal(s)), { description: 'Default: open' })),
            model: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Model name' })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: DEFAULT_LIMIT })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ reviews: Type.Array(ReviewView) }) },
      },
    },
    async (request) => {
      const { status = 'open', model, limit = DEFAULT_LIMIT } = request.query;
      return { reviews: (await deps.reviews.list({ status, modelName: model, limit })).map(view) };
    },
  );
  app.post(
    '/v1/reviews/:reviewId',
    {
      config: { scopes: ['feedback:write'] },
      schema: {
        tags: ['reviews'],
        summary: 'Answer a review: the label becomes the prediction’s ground truth (FeedbackReceived, source review); 409 if already answered',
        params: Type.Object({ reviewId: Type.String({ format: 'uuid' }) }),
        body: Type.Object(
          {
            label: Type.Union([Type.Boolean(), Type.String({ minLength: 1, maxLength: 100 })], {
              description: 'true/false (churn: churned; xray-pneumonia: pneumonia), or a class name: normal, bacterial, viral, pneumonia, churned…',
            }),
            reviewer: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Who reviewed (default: the API client)' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: ReviewView },
      },
    },
    async (request) =>
      view(await completeReview({ reviewId: request.params.reviewId, ...request.body, clientName: request.client!.name }, deps)),
  );
};

import { Type, type Static, type VigilRoutes } from '@vigil/common';
import { MAX_FEEDBACK_ITEMS, recordFeedback, type FeedbackItem, type RecordFeedbackDeps } from '../domain/record-feedback';

/** 10,000 items of ~150 bytes each, with room for long sources and ids. */
const BODY_LIMIT = 8 * 1024 * 1024;

const Source = Type.String({ minLength: 1, maxLength: 100, description: 'Who established the truth, e.g. blood-test, radiologist, crm (default: api)' });
const ObservedAt = Type.String({ format: 'date-time', description: 'When the truth was established (default: now)' });

const PredictionLabel = Type.Object(
  {
    predictionId: Type.String({ format: 'uuid', description: 'The prediction this label is about' }),
    label: Type.Union([Type.Boolean(), Type.String({ minLength: 1, maxLength: 100 }), Type.Number()], {
      description: 'One of the version\'s classes (registered models), a number (regressions), true/false (churn: churned; xray-pneumonia: pneumonia), or for X-rays normal, bacterial, viral, pneumonia',
    }),
    source: Type.Optional(Source),
    observedAt: Type.Optional(ObservedAt),
  },
  { additionalProperties: false },
);
const CustomerOutcome = Type.Object(
  {
    customerID: Type.String({ minLength: 1, maxLength: 200 }),
    churned: Type.Boolean(),
    observedAt: Type.Optional(Type.String({ format: 'date-time', description: 'When the outcome was known; it applies to the customer’s latest churn prediction per model version in the label window before it (default: now)' })),
    source: Type.Optional(Source),
  },
  { additionalProperties: false },
);
const Item = Type.Union([PredictionLabel, CustomerOutcome]);
const FeedbackBody = Type.Union([
  PredictionLabel,
  CustomerOutcome,
  Type.Object({ items: Type.Array(Item, { minItems: 1, maxItems: MAX_FEEDBACK_ITEMS }) }, { additionalProperties: false }),
]);

const ItemRef = Type.Object({
  index: Type.Integer({ description: 'Position in items (0 for a single object)' }),
  predictionId: Type.Optional(Type.String()),
  customerID: Type.Optional(Type.String()),
});
const FeedbackResult = Type.Object({
  accepted: Type.Integer({ description: 'Items stored, each announced as a FeedbackReceived event' }),
  labelled: Type.Integer({ description: 'Predictions whose current label these items set' }),
  unknown: Type.Array(ItemRef, { description: 'Items naming a prediction monitoring has not stored, or a customer without a churn prediction in the window' }),
  rejected: Type.Array(Type.Composite([ItemRef, Type.Object({ reason: Type.String() })]), { description: 'Items whose label means nothing to the prediction’s model' }),
});

const toItem = (item: Static<typeof Item>): FeedbackItem => {
  const observedAt = item.observedAt === undefined ? undefined : new Date(item.observedAt);
  return { ...item, observedAt };
};

/**
 * POST /v1/feedback: ground truth for predictions, or churn outcomes for customers, one object or
 * up to 10,000 as {"items": [...]}. Always 200 once the body is valid, with what could not be
 * applied listed (`unknown`, `rejected`) — also when nothing could.
 */
export const feedbackRoutes: VigilRoutes<RecordFeedbackDeps> = async (app, deps) => {
  app.post(
    '/v1/feedback',
    {
      bodyLimit: BODY_LIMIT,
      config: { scopes: ['feedback:write'] },
      schema: {
        tags: ['feedback'],
        summary: 'Ground-truth labels for predictions, or churn outcomes for customers',
        body: FeedbackBody,
        response: { 200: FeedbackResult },
      },
    },
    async (request) => {
      const body = request.body;
      const items = 'items' in body ? body.items : [body];
      return recordFeedback(items.map(toItem), request.client!.name, deps);
    },
  );
};

import { Type, type VigilRoutes } from '@vigil/common';
import { recordFeedback, type RecordFeedbackDeps } from '../domain/record-feedback';

const FeedbackBody = Type.Object(
  {
    predictionId: Type.Optional(Type.String({ format: 'uuid', description: 'The prediction this label is about' })),
    entityId: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'e.g. a customerID' })),
    label: Type.String({ minLength: 1, maxLength: 100, description: 'The true label, e.g. "Yes" or "PNEUMONIA"' }),
    source: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  { additionalProperties: false },
);

const FeedbackAccepted = Type.Object({
  feedbackId: Type.String(),
  receivedAt: Type.String({ format: 'date-time' }),
});

/** POST /v1/feedback: ground truth arriving after the prediction (a churned customer, a lab result). */
export const feedbackRoutes: VigilRoutes<RecordFeedbackDeps> = async (app, deps) => {
  app.post(
    '/v1/feedback',
    {
      config: { scopes: ['feedback:write'] },
      schema: { tags: ['feedback'], summary: 'Submit a ground-truth label', body: FeedbackBody, response: { 201: FeedbackAccepted } },
    },
    async (request, reply) => {
      const feedback = await recordFeedback(request.body, request.client!.name, deps);
      return reply.code(201).send({ feedbackId: feedback.id, receivedAt: feedback.receivedAt.toISOString() });
    },
  );
};

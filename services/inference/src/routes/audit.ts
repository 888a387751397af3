import { Type, VigilError, type VigilRoutes } from '@vigil/common';
import { replayPrediction, type ReplayDeps } from '../domain/replay-prediction';

const PredictionId = Type.Object({ predictionId: Type.String({ format: 'uuid' }) });
const ModelRef = Type.Object({ name: Type.String(), version: Type.Integer(), sha256: Type.String() });
const ReplayResponse = Type.Object({
  predictionId: Type.String(),
  identical: Type.Boolean({ description: 'true when every model reproduced its stored output exactly' }),
  models: Type.Array(Type.Object({ model: ModelRef, original: Type.Unknown(), replayed: Type.Unknown(), identical: Type.Boolean() })),
});

/** GET /v1/audit/predictions/{id}: the stored audit record of one prediction; POST …/replay re-runs it. */
export const auditRoutes: VigilRoutes<ReplayDeps> = async (app, deps) => {
  const { store } = deps;
  app.get(
    '/v1/audit/predictions/:predictionId',
    {
      config: { scopes: ['audit:read'] },
      schema: { tags: ['audit'], summary: 'The audit record of a prediction', params: PredictionId },
    },
    async (request) => {
      const record = await store.get(request.params.predictionId);
      if (!record) throw new VigilError('VIGIL_NOT_FOUND', `No prediction ${request.params.predictionId}`);
      return {
        predictionId: record.id,
        createdAt: record.createdAt.toISOString(),
        requestId: record.requestId,
        client: record.clientName,
        model: record.model,
        entityId: record.entityId,
        inputSha256: record.inputSha256,
        imageSha256: record.imageSha256 ?? null,
        input: record.input,
        output: record.output,
        latencyMs: record.latencyMs,
      };
    },
  );

  app.post(
    '/v1/audit/predictions/:predictionId/replay',
    {
      config: { scopes: ['audit:read'] },
      schema: {
        tags: ['audit'],
        summary: 'Re-run a stored prediction on the stored model versions and say whether the outputs are identical',
        params: PredictionId,
        response: { 200: ReplayResponse },
      },
    },
    async (request) => replayPrediction(request.params.predictionId, deps),
  );
};

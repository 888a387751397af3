import { Type, VigilError, type VigilRoutes } from '@vigil/common';
import type { PredictionStore } from '../domain/ports';

/** GET /v1/audit/predictions/{id}: the stored audit record of one prediction. */
export const auditRoutes: VigilRoutes<{ store: PredictionStore }> = async (app, { store }) => {
  app.get(
    '/v1/audit/predictions/:predictionId',
    {
      config: { scopes: ['audit:read'] },
      schema: { tags: ['audit'], summary: 'The audit record of a prediction', params: Type.Object({ predictionId: Type.String({ format: 'uuid' }) }) },
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
        input: record.input,
        output: record.output,
        latencyMs: record.latencyMs,
      };
    },
  );
};

import { hasScopes, Type, VigilError, type VigilRoutes } from '@vigil/common';
import { predictInstances, predictScopes } from '../domain/predict-instances';
import type { InferenceDeps } from '../domain/run-inference';

const Prediction = Type.Object({
  predictionId: Type.String(),
  label: Type.Optional(Type.Union([Type.String(), Type.Number()])),
  probabilities: Type.Optional(Type.Record(Type.String(), Type.Number())),
  value: Type.Optional(Type.Number()),
});

/** POST /v1/models/{name}/predict: JSON rows for any model that declares its task (registered models). */
export const modelPredictionRoutes: VigilRoutes<InferenceDeps> = async (app, deps) => {
  app.post(
    '/v1/models/:name/predict',
    {
      schema: {
        tags: ['models'],
        summary: 'Predict with a model by its task (1 to 1,000 instances; audited before the answer)',
        description: 'Needs scope predict:{name} or predict:*. Instances are objects keyed by graph input name (KServe V1 / MLflow records).',
        params: Type.Object({ name: Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,63}$' }) }),
        querystring: Type.Object({ version: Type.Optional(Type.Integer({ minimum: 1 })) }),
        body: Type.Object({ instances: Type.Array(Type.Unknown(), { minItems: 1, maxItems: 1000 }) }, { additionalProperties: false }),
        response: {
          200: Type.Object({ model: Type.Object({ name: Type.String(), version: Type.Integer(), sha256: Type.String() }), predictions: Type.Array(Prediction) }),
        },
      },
    },
    async (request) => {
      const { name } = request.params;
      const scopes = predictScopes(name);
      if (!scopes.some((s) => hasScopes(request.client!, [s]))) {
        throw new VigilError('VIGIL_FORBIDDEN', `Running model ${name} needs scope ${scopes[0]} (or ${scopes[1]})`, { details: { requiredScopes: [scopes[0]] } });
      }
      return predictInstances(
        { modelName: name, version: request.query.version, instances: request.body.instances, requestId: String(request.id), clientName: request.client!.name },
        deps,
      );
    },
  );
};

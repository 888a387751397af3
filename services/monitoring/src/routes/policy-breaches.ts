import { Type, type VigilRoutes } from '@vigil/common';
import { listBreaches, type ManagePoliciesDeps } from '../domain/manage-policies';
import type { PolicyBreach } from '../domain/policy-ports';
import { ModelParams } from './policies';

const DEFAULT_LIMIT = 100;

const BreachView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  policyId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], { description: 'Null once the policy was deleted' }),
  model: Type.Object({ name: Type.String(), version: Type.String() }),
  metric: Type.String(),
  feature: Type.Union([Type.String(), Type.Null()]),
  comparator: Type.String(),
  value: Type.Number({ description: 'What was measured' }),
  threshold: Type.Number(),
  window: Type.String(),
  labelled: Type.Integer({ description: 'Labelled predictions the value was computed on' }),
  severity: Type.String(),
  alertId: Type.String({ format: 'uuid', description: 'The alert it raised (GET /v1/alerts/{alertId})' }),
  trainingJobId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], { description: 'The retraining job it requested (training GET /v1/training/jobs/{jobId})' }),
  breachedAt: Type.String({ format: 'date-time' }),
});

const view = (b: PolicyBreach) => ({
  id: b.id, policyId: b.policyId, model: { name: b.modelName, version: b.modelVersion }, metric: b.metric, feature: b.feature, comparator: b.comparator,
  value: b.value, threshold: b.threshold, window: b.window, labelled: b.labelled, severity: b.severity, alertId: b.alertId, trainingJobId: b.trainingJobId,
  breachedAt: b.breachedAt.toISOString(),
});

/** GET /v1/monitoring/models/{name}/breaches: what the model's policies caught, newest first. */
export const policyBreachRoutes: VigilRoutes<ManagePoliciesDeps> = async (app, deps) => {
  app.get(
    '/v1/monitoring/models/:name/breaches',
    {
      config: { scopes: ['monitoring:read'] },
      schema: {
        tags: ['monitoring'],
        summary: 'Policy breaches of a model, newest first',
        params: ModelParams,
        querystring: Type.Object(
          {
            policyId: Type.Optional(Type.String({ format: 'uuid' })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: DEFAULT_LIMIT })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ model: Type.String(), breaches: Type.Array(BreachView) }) },
      },
    },
    async (request) => {
      const { policyId, limit = DEFAULT_LIMIT } = request.query;
      const breaches = await listBreaches({ modelName: request.params.name, policyId, limit }, deps);
      return { model: request.params.name, breaches: breaches.map(view) };
    },
  );
};

import { Type, type VigilRoutes } from '@vigil/common';
import { modelUsage, type ModelUsage } from '../domain/model-usage';
import type { UsageReader } from '../domain/usage-ports';

const When = (description?: string) => Type.Union([Type.String({ format: 'date-time' }), Type.Null()], description ? { description } : {});

const UsageView = Type.Object({
  model: Type.String(),
  asOf: Type.String({ format: 'date-time' }),
  requests: Type.Integer({ description: 'Predictions recorded, all versions' }),
  lastUsedAt: When('Newest prediction of any version; null if never used'),
  unusedForDays: Type.Integer({ description: 'Whole days since the newest prediction (since the first version was registered, for a model never used)' }),
  unusedThresholdDays: Type.Integer({ description: 'MODEL_UNUSED_DAYS' }),
  flagged: Type.Boolean({ description: 'Unused for more than the threshold: a candidate for POST /v1/models/{name}/decommission (training)' }),
  versions: Type.Array(
    Type.Object({
      version: Type.String(),
      requests: Type.Integer(),
      lastUsedAt: When(),
      registeredAt: When('When training registered the version'),
      unusedForDays: Type.Integer(),
    }),
    { description: 'Registered or predicted versions, newest first' },
  ),
});

const view = (u: ModelUsage) => ({
  model: u.model,
  asOf: u.asOf.toISOString(),
  requests: u.requests,
  lastUsedAt: u.lastUsedAt?.toISOString() ?? null,
  unusedForDays: u.unusedForDays,
  unusedThresholdDays: u.unusedThresholdDays,
  flagged: u.flagged,
  versions: u.versions.map((v) => ({
    version: v.modelVersion, requests: v.requests, lastUsedAt: v.lastUsedAt?.toISOString() ?? null, registeredAt: v.registeredAt?.toISOString() ?? null,
    unusedForDays: v.unusedForDays,
  })),
});

export interface UsageRouteDeps {
  reader: UsageReader;
  /** MODEL_UNUSED_DAYS. */
  unusedDays: number;
}

/** GET /v1/models/{name}/usage: requests and last use per version, and whether the model looks abandoned. */
export const usageRoutes: VigilRoutes<UsageRouteDeps> = async (app, deps) => {
  app.get(
    '/v1/models/:name/usage',
    {
      config: { scopes: ['monitoring:read'] },
      schema: {
        tags: ['monitoring'],
        summary: 'Requests and last use of a model per version; flagged when unused for more than MODEL_UNUSED_DAYS',
        params: Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) }),
        response: { 200: UsageView },
      },
    },
    async (request) => view(await modelUsage(deps.reader, { modelName: request.params.name, unusedThresholdDays: deps.unusedDays })),
  );
};

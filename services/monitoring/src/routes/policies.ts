import { Type, type VigilRoutes } from '@vigil/common';
import { createPolicy, deletePolicy, getPolicy, listPolicies, replacePolicy, type ManagePoliciesDeps } from '../domain/manage-policies';
import {
  COMPARATORS, COOLDOWN_PATTERN, DEFAULT_MIN_LABELLED, formatCooldown, MAX_COOLDOWN_SECONDS, MIN_COOLDOWN_SECONDS, POLICY_METRICS, POLICY_SEVERITIES,
} from '../domain/policy';
import type { StoredPolicy } from '../domain/policy-ports';
import { WINDOW_PATTERN } from '../domain/windows';

const read = { scopes: ['monitoring:read'] };
const admin = { scopes: ['models:admin'] };
const literals = <T extends string>(values: readonly T[], description?: string) => Type.Union(values.map((v) => Type.Literal(v)), description ? { description } : {});

export const ModelParams = Type.Object({ name: Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,63}$' }) });
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

const PolicyBody = Type.Object(
  {
    metric: literals(POLICY_METRICS, 'A quality metric of GET …/performance, or psi (drift of the score or of a feature; needs no labels)'),
    feature: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: "psi only: 'score' (default) or an input feature" })),
    comparator: literals(COMPARATORS, "'<': breached when the metric falls below the threshold; '>': when it rises above"),
    threshold: Type.Number({ description: 'In [0, 1] except for psi (≥ 0)' }),
    window: Type.Optional(Type.String({ pattern: WINDOW_PATTERN, description: 'One of MONITORING_WINDOWS (default: the longest)' })),
    minLabelled: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000_000, description: `Labelled predictions needed before the metric is judged (default ${DEFAULT_MIN_LABELLED})` })),
    cooldown: Type.Optional(
      Type.Union([Type.Integer({ minimum: MIN_COOLDOWN_SECONDS, maximum: MAX_COOLDOWN_SECONDS }), Type.String({ pattern: COOLDOWN_PATTERN, maxLength: 40 })], {
        description: 'No second breach of the policy within this time: seconds, or an ISO 8601 duration such as PT6H (default P1D)',
      }),
    ),
    severity: Type.Optional(literals(POLICY_SEVERITIES, 'Severity of the alert a breach raises (default warning)')),
    enabled: Type.Optional(Type.Boolean({ description: 'Default true' })),
    retrain: Type.Optional(Type.Boolean({ description: 'Whether a breach also requests retraining (default: true where a pipeline trains the model)' })),
  },
  { additionalProperties: false },
);

const Timestamp = Type.String({ format: 'date-time' });
export const PolicyView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  model: Type.String(),
  metric: Type.String(),
  feature: Type.Union([Type.String(), Type.Null()]),
  comparator: Type.String(),
  threshold: Type.Number(),
  window: Type.String(),
  minLabelled: Type.Integer(),
  cooldown: Type.String({ description: 'ISO 8601 duration' }),
  cooldownSeconds: Type.Integer(),
  severity: Type.String(),
  enabled: Type.Boolean(),
  retrain: Type.Boolean(),
  revision: Type.Integer({ description: '1 when created, +1 per update' }),
  createdBy: Type.String(),
  createdAt: Timestamp,
  updatedBy: Type.String(),
  updatedAt: Timestamp,
  lastBreachAt: Type.Union([Timestamp, Type.Null()]),
});

const view = (p: StoredPolicy) => ({
  id: p.id, model: p.modelName, metric: p.metric, feature: p.feature, comparator: p.comparator, threshold: p.threshold, window: p.window,
  minLabelled: p.minLabelled, cooldown: formatCooldown(p.cooldownSeconds), cooldownSeconds: p.cooldownSeconds, severity: p.severity,
  enabled: p.enabled, retrain: p.retrain, revision: p.revision, createdBy: p.createdBy, createdAt: p.createdAt.toISOString(),
  updatedBy: p.updatedBy, updatedAt: p.updatedAt.toISOString(), lastBreachAt: p.lastBreachAt?.toISOString() ?? null,
});

/**
 * Quality policies per model: /v1/monitoring/models/{name}/policies to list and create,
 * /v1/monitoring/policies/{id} to read, replace (PUT: the whole policy) and delete. Changing them
 * takes models:admin, as changing the registry does.
 */
export const policyRoutes: VigilRoutes<ManagePoliciesDeps> = async (app, deps) => {
  app.get(
    '/v1/monitoring/models/:name/policies',
    {
      config: read,
      schema: {
        tags: ['monitoring'], summary: 'A model’s quality policies, oldest first', params: ModelParams,
        response: { 200: Type.Object({ model: Type.String(), policies: Type.Array(PolicyView) }) },
      },
    },
    async (request) => ({ model: request.params.name, policies: (await listPolicies(request.params.name, deps)).map(view) }),
  );
  app.post(
    '/v1/monitoring/models/:name/policies',
    {
      config: admin,
      schema: { tags: ['monitoring'], summary: 'Create a quality policy for a model', params: ModelParams, body: PolicyBody, response: { 201: PolicyView } },
    },
    async (request, reply) => {
      const policy = await createPolicy(request.params.name, request.body, request.client!.name, deps);
      return reply.code(201).header('location', `/v1/monitoring/policies/${policy.id}`).send(view(policy));
    },
  );
  app.get(
    '/v1/monitoring/policies/:id',
    { config: read, schema: { tags: ['monitoring'], summary: 'One quality policy', params: IdParams, response: { 200: PolicyView } } },
    async (request) => view(await getPolicy(request.params.id, deps)),
  );
  app.put(
    '/v1/monitoring/policies/:id',
    {
      config: admin,
      schema: {
        tags: ['monitoring'], summary: 'Replace a quality policy (fields left out take their defaults)', params: IdParams, body: PolicyBody,
        response: { 200: PolicyView },
      },
    },
    async (request) => view(await replacePolicy(request.params.id, request.body, request.client!.name, deps)),
  );
  app.delete(
    '/v1/monitoring/policies/:id',
    { config: admin, schema: { tags: ['monitoring'], summary: 'Delete a quality policy (its breaches stay listed)', params: IdParams } },
    async (request, reply) => {
      await deletePolicy(request.params.id, deps);
      return reply.code(204).send();
    },
  );
};

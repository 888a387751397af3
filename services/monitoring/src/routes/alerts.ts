import { Type, VigilError, type VigilRoutes } from '@vigil/common';
import { DELIVERY_STATUSES, type Alert, type AlertStore } from '../domain/ports';

const DEFAULT_LIMIT = 100;

const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);

const AlertView = Type.Object({
  alertId: Type.String({ format: 'uuid' }),
  kind: Type.String({ description: 'What was detected, e.g. low_confidence, drift, accuracy_drop' }),
  severity: Type.String({ description: 'info, warning, critical (unspecified when the producer set none)' }),
  model: Type.Object({ name: Type.String(), version: Nullable(Type.String()) }),
  predictionId: Nullable(Type.String({ format: 'uuid', description: 'The prediction that triggered the alert, when one did' })),
  message: Type.String(),
  raisedAt: Type.String({ format: 'date-time' }),
  receivedAt: Type.String({ format: 'date-time' }),
  eventId: Type.String({ format: 'uuid', description: 'The AlertRaised event that carried it' }),
  deliveryStatus: Type.Union(DELIVERY_STATUSES.map((s) => Type.Literal(s)), {
    description: 'Webhook delivery: pending (waiting or retrying), delivered, failed (gave up), disabled (no webhook configured when it arrived)',
  }),
  attempts: Type.Integer({ description: 'Webhook calls made' }),
  nextAttemptAt: Nullable(Type.String({ format: 'date-time' })),
  lastError: Nullable(Type.String({ description: 'Why the latest failed attempt failed' })),
  deliveredAt: Nullable(Type.String({ format: 'date-time' })),
});

const view = (a: Alert) => ({
  alertId: a.alertId,
  kind: a.kind,
  severity: a.severity,
  model: { name: a.modelName, version: a.modelVersion },
  predictionId: a.predictionId,
  message: a.message,
  raisedAt: a.raisedAt.toISOString(),
  receivedAt: a.receivedAt.toISOString(),
  eventId: a.eventId,
  deliveryStatus: a.deliveryStatus,
  attempts: a.attempts,
  nextAttemptAt: a.nextAttemptAt?.toISOString() ?? null,
  lastError: a.lastError,
  deliveredAt: a.deliveredAt?.toISOString() ?? null,
});

/** GET /v1/alerts and /v1/alerts/{alertId}: alerts monitoring received, with their webhook delivery. */
export const alertRoutes: VigilRoutes<{ alerts: AlertStore }> = async (app, { alerts }) => {
  app.get(
    '/v1/alerts',
    {
      config: { scopes: ['alerts:read'] },
      schema: {
        tags: ['alerts'],
        summary: 'Alerts, newest first',
        querystring: Type.Object(
          {
            kind: Type.Optional(Type.String({ minLength: 1 })),
            model: Type.Optional(Type.String({ minLength: 1, description: 'Model name' })),
            status: Type.Optional(Type.Union(DELIVERY_STATUSES.map((s) => Type.Literal(s)), { description: 'Delivery status' })),
            since: Type.Optional(Type.String({ format: 'date-time', description: 'Only alerts raised at or after this time' })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: DEFAULT_LIMIT })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ alerts: Type.Array(AlertView) }) },
      },
    },
    async (request) => {
      const { kind, model, status, since, limit = DEFAULT_LIMIT } = request.query;
      const found = await alerts.list({ kind, modelName: model, status, since: since === undefined ? undefined : new Date(since), limit });
      return { alerts: found.map(view) };
    },
  );
  app.get(
    '/v1/alerts/:alertId',
    {
      config: { scopes: ['alerts:read'] },
      schema: {
        tags: ['alerts'],
        summary: 'One alert and its webhook delivery',
        params: Type.Object({ alertId: Type.String({ format: 'uuid' }) }),
        response: { 200: AlertView },
      },
    },
    async (request) => {
      const alert = await alerts.get(request.params.alertId);
      if (!alert) throw new VigilError('VIGIL_NOT_FOUND', `No alert ${request.params.alertId}`);
      return view(alert);
    },
  );
};

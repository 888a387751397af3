import type { Alert, AlertSeverity, DeliveryStatus } from '../../domain/ports';

export const ALERT_COLUMNS = `id, event_id, kind, severity, model_name, model_version, prediction_id, message, raised_at,
  received_at, delivery_status, attempts, next_attempt_at, last_error, delivered_at`;

export const toAlert = (r: Record<string, any>): Alert => ({ // eslint-disable-line @typescript-eslint/no-explicit-any
  alertId: r.id,
  eventId: r.event_id,
  kind: r.kind,
  severity: r.severity as AlertSeverity,
  modelName: r.model_name,
  modelVersion: r.model_version,
  predictionId: r.prediction_id,
  message: r.message,
  raisedAt: r.raised_at,
  receivedAt: r.received_at,
  deliveryStatus: r.delivery_status as DeliveryStatus,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  lastError: r.last_error,
  deliveredAt: r.delivered_at,
});

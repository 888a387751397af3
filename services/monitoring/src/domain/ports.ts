/** What the monitoring domain needs from the outside world; adapters implement these. */
export interface GroundTruth {
  eventId: string;
  predictionId: string | null;
  entityId: string | null;
  label: string;
  source: string;
  clientName: string;
  occurredAt: Date;
}

export interface GroundTruthStore {
  /** Called inside the inbox transaction of the event that carried it. */
  save(truth: GroundTruth): Promise<void>;
}

export type AlertSeverity = 'unspecified' | 'info' | 'warning' | 'critical';
export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed', 'disabled'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** An alert as an AlertRaised event announced it. */
export interface RaisedAlert {
  alertId: string;
  eventId: string;
  kind: string;
  severity: AlertSeverity;
  modelName: string;
  modelVersion: string | null;
  predictionId: string | null;
  message: string;
  raisedAt: Date;
}

/** A stored alert with the state of its webhook delivery. */
export interface Alert extends RaisedAlert {
  receivedAt: Date;
  deliveryStatus: DeliveryStatus;
  attempts: number;
  nextAttemptAt: Date | null;
  lastError: string | null;
  deliveredAt: Date | null;
}

export interface AlertFilter {
  kind?: string;
  modelName?: string;
  status?: DeliveryStatus;
  since?: Date;
  limit: number;
}

export interface AlertStore {
  /** Stores the alert unless one with its id exists; says whether it did. Called inside the inbox transaction. */
  save(alert: RaisedAlert, status: 'pending' | 'disabled'): Promise<boolean>;
  /** Newest first. */
  list(filter: AlertFilter): Promise<Alert[]>;
  get(alertId: string): Promise<Alert | null>;
}

/** Pending alerts waiting for the webhook, shared by every replica. */
export interface AlertDeliveryQueue {
  /**
   * Takes up to `limit` due alerts, counts the attempt and holds them for `leaseMs` (another
   * replica skips them meanwhile). An alert whose holder died is due again when the lease ends.
   */
  claimDue(limit: number, leaseMs: number): Promise<Alert[]>;
  /**
   * Each records the outcome of the attempt numbered `attempt`; a no-op when the alert has since
   * been claimed again (a later attempt's outcome wins). Returns whether it recorded.
   */
  markDelivered(alertId: string, attempt: number): Promise<boolean>;
  /** Due again `delayMs` from now by the database's clock, the one `claimDue` compares with. */
  markRetry(alertId: string, attempt: number, delayMs: number, error: string): Promise<boolean>;
  markFailed(alertId: string, attempt: number, error: string): Promise<boolean>;
}

/** The JSON document a webhook receiver gets. */
export interface AlertNotification {
  alertId: string;
  kind: string;
  severity: AlertSeverity;
  model: { name: string; version: string | null };
  predictionId: string | null;
  message: string;
  raisedAt: string;
}

export type WebhookResult = { ok: true } | { ok: false; error: string };

export interface AlertWebhook {
  /** Never throws: a refused connection, a timeout or a non-2xx answer is `{ ok: false }`. */
  send(notification: AlertNotification): Promise<WebhookResult>;
}

export type DeliveryOutcome = 'delivered' | 'retry' | 'failed';

export interface AlertObserver {
  received(alert: RaisedAlert): void;
  delivery(outcome: DeliveryOutcome): void;
}

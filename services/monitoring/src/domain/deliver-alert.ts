import type { Alert, AlertDeliveryQueue, AlertNotification, AlertObserver, AlertWebhook, DeliveryOutcome } from './ports';

export interface DeliveryPolicy {
  maxAttempts: number;
  /** Wait after the first failed attempt; doubles with each further one. */
  backoffBaseMs: number;
  backoffMaxMs: number;
}

export interface DeliverAlertDeps {
  queue: AlertDeliveryQueue;
  webhook: AlertWebhook;
  policy: DeliveryPolicy;
  /** In [0, 1); injected so tests can pin the jitter. */
  random: () => number;
  observer?: AlertObserver;
}

/** The document a receiver gets; `alertId` is also sent as the idempotency header. */
export function toNotification(alert: Alert): AlertNotification {
  return {
    alertId: alert.alertId,
    kind: alert.kind,
    severity: alert.severity,
    model: { name: alert.modelName, version: alert.modelVersion },
    predictionId: alert.predictionId,
    message: alert.message,
    raisedAt: alert.raisedAt.toISOString(),
  };
}

/**
 * Wait before the attempt after failed attempt number `attempt` (1-based): exponential, capped,
 * with "equal jitter" (half fixed, half random) so that many alerts failing together against one
 * receiver do not come back in lockstep, while each still waits at least half its step.
 */
export function backoffMs(attempt: number, policy: DeliveryPolicy, random: () => number): number {
  const step = Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(step / 2 + random() * (step / 2));
}

/**
 * One delivery attempt of an alert already claimed (its `attempts` counts this one): call the
 * webhook, then record the outcome. The call happens outside any transaction; a process that dies
 * after the call and before the record leaves the alert claimed until its lease runs out, and it
 * is sent again — at-least-once, which receivers absorb through the x-vigil-alert-id header.
 */
export async function deliverAlert(alert: Alert, deps: DeliverAlertDeps): Promise<{ outcome: DeliveryOutcome; error?: string }> {
  const result = await deps.webhook.send(toNotification(alert));
  let outcome: DeliveryOutcome;
  if (result.ok) {
    outcome = 'delivered';
    await deps.queue.markDelivered(alert.alertId, alert.attempts);
  } else if (alert.attempts >= deps.policy.maxAttempts) {
    outcome = 'failed';
    await deps.queue.markFailed(alert.alertId, alert.attempts, result.error);
  } else {
    outcome = 'retry';
    await deps.queue.markRetry(alert.alertId, alert.attempts, backoffMs(alert.attempts, deps.policy, deps.random), result.error);
  }
  deps.observer?.delivery(outcome);
  return result.ok ? { outcome } : { outcome, error: result.error };
}

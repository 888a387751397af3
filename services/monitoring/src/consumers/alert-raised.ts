import { AlertSeverity, decodeEvent, timestampDate, TOPICS, VigilError, type InboxHandler } from '@vigil/common';
import { createAlertStore } from '../adapters/postgres/alert-store';
import type { AlertObserver, AlertSeverity as Severity } from '../domain/ports';
import { recordAlert } from '../domain/record-alert';

export const ALERT_CONSUMER = 'monitoring.alert-raised';

const SEVERITIES: Record<number, Severity> = {
  [AlertSeverity.INFO]: 'info',
  [AlertSeverity.WARNING]: 'warning',
  [AlertSeverity.CRITICAL]: 'critical',
};

export interface AlertRaisedOptions {
  webhookEnabled: boolean;
  observer?: AlertObserver;
}

/** vigil.alert.raised.v1 → monitoring.alerts, in the inbox transaction. */
export function createAlertRaisedHandler(options: AlertRaisedOptions): InboxHandler {
  return async (message, tx, log) => {
    let event;
    try {
      event = decodeEvent(TOPICS.alertRaised, message.value);
    } catch (err) {
      throw new VigilError('VIGIL_VALIDATION', `undecodable AlertRaised: ${(err as Error).message}`, { cause: err });
    }
    const stored = await recordAlert(
      {
        alertId: event.alertId,
        eventId: message.eventId,
        kind: event.kind,
        // An alert without a (known) severity is still an alert: kept, not dead-lettered.
        severity: SEVERITIES[event.severity] ?? 'unspecified',
        modelName: event.modelName,
        modelVersion: event.modelVersion || null,
        predictionId: event.predictionId || null,
        message: event.message,
        raisedAt: event.meta?.occurredAt ? timestampDate(event.meta.occurredAt) : new Date(),
      },
      { store: createAlertStore(tx), webhookEnabled: options.webhookEnabled, observer: options.observer },
    );
    if (!stored) log.info({ alertId: event.alertId }, 'alert already stored under another event; skipped');
  };
}

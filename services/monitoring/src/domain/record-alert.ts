import { VigilError } from '@vigil/common';
import type { AlertObserver, AlertStore, RaisedAlert } from './ports';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface RecordAlertDeps {
  /** Bound to the inbox transaction of the event. */
  store: AlertStore;
  /** Whether a webhook is configured: alerts then wait for delivery, else they are only listed. */
  webhookEnabled: boolean;
  observer?: AlertObserver;
}

/**
 * Records a raised alert. An alert that cannot be right (an id that is not a UUID, no kind, no
 * model) is rejected as non-retryable, so it goes to the dead-letter topic instead of blocking the
 * partition. An alert id seen before (the same alert re-announced under a new event id) is kept
 * once, with its first delivery state.
 */
export async function recordAlert(alert: RaisedAlert, deps: RecordAlertDeps): Promise<boolean> {
  if (!UUID.test(alert.alertId)) throw new VigilError('VIGIL_VALIDATION', `alert id ${JSON.stringify(alert.alertId)} is not a UUID`);
  if (alert.kind.trim() === '') throw new VigilError('VIGIL_VALIDATION', 'alert kind is blank');
  if (alert.modelName.trim() === '') throw new VigilError('VIGIL_VALIDATION', 'alert names no model');
  if (alert.predictionId && !UUID.test(alert.predictionId)) {
    throw new VigilError('VIGIL_VALIDATION', `prediction id ${JSON.stringify(alert.predictionId)} is not a UUID`);
  }
  const stored = await deps.store.save(alert, deps.webhookEnabled ? 'pending' : 'disabled');
  // Counted before the inbox transaction commits: a commit that fails and is retried counts the
  // alert twice. Rare enough for a rate metric; the table is the exact record.
  if (stored) deps.observer?.received(alert);
  return stored;
}

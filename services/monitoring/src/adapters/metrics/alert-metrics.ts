import { Counter, type Registry } from 'prom-client';
import type { AlertObserver } from '../../domain/ports';

/** Alert counters on the service's registry; create once per registry (names are unique there). */
export function createAlertMetrics(registry: Registry): AlertObserver {
  const registers = [registry];
  const received = new Counter({ name: 'vigil_alerts_received_total', help: 'Alerts stored (each alert id once)', labelNames: ['kind', 'severity'], registers });
  const deliveries = new Counter({
    name: 'vigil_alert_deliveries_total',
    help: 'Webhook delivery attempts by outcome: delivered, retry (will be tried again), failed (gave up)',
    labelNames: ['outcome'],
    registers,
  });
  return {
    received(alert) {
      received.inc({ kind: alert.kind, severity: alert.severity });
    },
    delivery(outcome) {
      deliveries.inc({ outcome });
    },
  };
}

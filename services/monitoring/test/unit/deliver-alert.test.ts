import { backoffMs, deliverAlert, type DeliveryPolicy } from '../../src/domain/deliver-alert';
import type { Alert, AlertDeliveryQueue, DeliveryOutcome, WebhookResult } from '../../src/domain/ports';

const policy: DeliveryPolicy = { maxAttempts: 3, backoffBaseMs: 1000, backoffMaxMs: 300_000 };

const alert = (attempts: number): Alert => ({
  alertId: '6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f', eventId: 'e', kind: 'low_confidence', severity: 'critical', modelName: 'churn',
  modelVersion: null, predictionId: null, message: 'm', raisedAt: new Date('2030-01-02T03:04:05.000Z'), receivedAt: new Date(),
  deliveryStatus: 'pending', attempts, nextAttemptAt: null, lastError: null, deliveredAt: null,
});

function recorder() {
  const calls: unknown[][] = [];
  const queue: AlertDeliveryQueue = {
    claimDue: async () => [],
    markDelivered: async (...args) => Boolean(calls.push(['delivered', ...args])),
    markRetry: async (...args) => Boolean(calls.push(['retry', ...args])),
    markFailed: async (...args) => Boolean(calls.push(['failed', ...args])),
  };
  return { queue, calls };
}

const run = async (attempts: number, result: WebhookResult) => {
  const { queue, calls } = recorder();
  const outcomes: DeliveryOutcome[] = [];
  const sent: unknown[] = [];
  const { outcome } = await deliverAlert(alert(attempts), {
    queue, policy, random: () => 0.5,
    webhook: { send: async (n) => (sent.push(n), result) },
    observer: { received: () => undefined, delivery: (o) => void outcomes.push(o) },
  });
  return { outcome, calls, outcomes, sent };
};

describe('deliverAlert', () => {
  test('sends the documented JSON and records a 2xx as delivered', async () => {
    const { outcome, calls, outcomes, sent } = await run(1, { ok: true });
    expect(outcome).toBe('delivered');
    expect(calls).toEqual([['delivered', alert(1).alertId, 1]]);
    expect(outcomes).toEqual(['delivered']);
    expect(sent).toEqual([{
      alertId: alert(1).alertId, kind: 'low_confidence', severity: 'critical', model: { name: 'churn', version: null },
      predictionId: null, message: 'm', raisedAt: '2030-01-02T03:04:05.000Z',
    }]);
  });

  test('schedules a failed attempt again with backoff while attempts remain', async () => {
    const { outcome, calls } = await run(2, { ok: false, error: 'HTTP 500' });
    expect(outcome).toBe('retry');
    expect(calls).toEqual([['retry', alert(2).alertId, 2, backoffMs(2, policy, () => 0.5), 'HTTP 500']]);
  });

  test('gives up after the last attempt, keeping the error', async () => {
    const { outcome, calls } = await run(3, { ok: false, error: 'no answer within 5000 ms' });
    expect(outcome).toBe('failed');
    expect(calls).toEqual([['failed', alert(3).alertId, 3, 'no answer within 5000 ms']]);
  });
});

describe('backoffMs', () => {
  test('doubles per attempt, between half and all of the step', () => {
    expect([1, 2, 3, 4].map((n) => backoffMs(n, policy, () => 0))).toEqual([500, 1000, 2000, 4000]);
    expect([1, 2, 3, 4].map((n) => backoffMs(n, policy, () => 0.999999))).toEqual([1000, 2000, 4000, 8000]);
  });

  test('never exceeds the cap, however many attempts', () => {
    expect(backoffMs(9, policy, () => 0.999999)).toBe(256_000);
    expect(backoffMs(10, policy, () => 0.999999)).toBe(300_000);
    expect(backoffMs(1000, policy, () => 0.999999)).toBe(300_000);
  });
});

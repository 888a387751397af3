import { randomUUID } from 'node:crypto';
import { createAlertDeliveryQueue } from '../../src/adapters/postgres/alert-delivery-queue';
import { createAlertStore } from '../../src/adapters/postgres/alert-store';
import type { RaisedAlert } from '../../src/domain/ports';
import { createTestDatabase, type TestDatabase } from '../../../../tests/support/database';
import { waitFor } from '../../../../tests/support/kafka';

const raised = (modelName: string): RaisedAlert => ({
  alertId: randomUUID(), eventId: randomUUID(), kind: 'low_confidence', severity: 'warning', modelName, modelVersion: '1',
  predictionId: null, message: 'm', raisedAt: new Date(),
});

describe('alert delivery queue (monitoring.alerts on real Postgres)', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  test('replicas claiming at the same time never take the same alert', async () => {
    const store = createAlertStore(db.pool);
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const alert = raised('concurrent');
      ids.push(alert.alertId);
      await store.save(alert, 'pending');
    }
    const replicas = [createAlertDeliveryQueue(db.pool), createAlertDeliveryQueue(db.pool), createAlertDeliveryQueue(db.pool)];
    const claims = await Promise.all(replicas.map((q) => q.claimDue(8, 60_000)));
    const claimed = claims.flat().map((a) => a.alertId);
    expect(new Set(claimed).size).toBe(claimed.length);
    expect(claimed.length).toBe(20);
    expect(claims.flat().every((a) => a.attempts === 1)).toBe(true);
  });

  test('an alert whose worker died after the call is sent again once the lease ends, and the dead worker’s late result is ignored', async () => {
    const queue = createAlertDeliveryQueue(db.pool);
    const alert = raised('lease');
    await createAlertStore(db.pool).save(alert, 'pending');
    await db.pool.query(`UPDATE monitoring.alerts SET next_attempt_at = now() + interval '1 hour' WHERE model_name = 'concurrent'`);

    const [held] = await queue.claimDue(10, 300); // this worker "crashes" before recording its result
    expect(held).toMatchObject({ alertId: alert.alertId, attempts: 1 });
    expect(await queue.claimDue(10, 60_000)).toEqual([]); // held by the lease

    const retaken = await waitFor(() => queue.claimDue(10, 60_000), (c) => c.length > 0, 10_000);
    expect(retaken).toEqual([expect.objectContaining({ alertId: alert.alertId, attempts: 2 })]);
    expect(await queue.markDelivered(alert.alertId, 1)).toBe(false);
    expect(await queue.markRetry(alert.alertId, 2, 60_000, 'HTTP 502')).toBe(true);
    expect(await createAlertStore(db.pool).get(alert.alertId)).toMatchObject({ deliveryStatus: 'pending', attempts: 2, lastError: 'HTTP 502' });
  });

  test('alerts with delivery disabled are never claimed', async () => {
    const queue = createAlertDeliveryQueue(db.pool);
    const alert = raised('disabled');
    await createAlertStore(db.pool).save(alert, 'disabled');
    const claimed = await queue.claimDue(100, 60_000);
    expect(claimed.map((a) => a.alertId)).not.toContain(alert.alertId);
  });
});

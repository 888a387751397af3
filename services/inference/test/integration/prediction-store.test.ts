/**
 * The audit writer's group commit with two transactions in flight: every save learns whether its
 * rows committed, and a save told "committed" has its rows and prediction-made events in Postgres,
 * while a save told "failed" has none (it shared a transaction with a bad row).
 */
import { randomUUID } from 'node:crypto';
import { TOPICS } from '@vigil/common';
import { createPredictionStore } from '../../src/adapters/postgres/prediction-store';
import type { PredictionRecord } from '../../src/domain/ports';
import { createTestDatabase, type TestDatabase } from '../../../../tests/support/database';

const record = (id: string = randomUUID()): PredictionRecord => ({
  id, createdAt: new Date(), requestId: 'req', clientName: 'test', model: { name: 'churn', version: 1, sha256: 'a'.repeat(64) },
  entityId: `customer-${id}`, inputSha256: 'b'.repeat(64), input: { tenure: 3 }, output: { probability: 0.25, churn: false }, latencyMs: 1,
});

describe('prediction store (group commit, two writers)', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  const stored = async (ids: string[]) => ({
    rows: (await db.pool.query('SELECT count(*)::int AS n FROM inference.predictions WHERE id = ANY($1::uuid[])', [ids])).rows[0].n,
    // The first test's saves are the only ones before it counts.
    events: (await db.pool.query('SELECT count(*)::int AS n FROM inference.outbox WHERE topic = $1', [TOPICS.predictionMade])).rows[0].n,
  });

  test('300 concurrent saves all commit, in fewer transactions than saves, each with its event', async () => {
    let commits = 0;
    const store = createPredictionStore(db.pool, { maxBatch: 50, writers: 2, onCommitted: () => commits++ });
    const saves = Array.from({ length: 300 }, (_, i) => Array.from({ length: 1 + (i % 3) }, () => record()));
    await Promise.all(saves.map((records) => store.save(records)));
    const ids = saves.flat().map((r) => r.id);
    expect(await stored(ids)).toEqual({ rows: ids.length, events: ids.length });
    expect(commits).toBeGreaterThan(1);
    expect(commits).toBeLessThan(saves.length / 2);
    expect(await store.get(ids[7])).toMatchObject({ id: ids[7], output: { probability: 0.25 } });
  });

  test('a save that shares a transaction with a failing row is told so and leaves nothing behind; the others commit', async () => {
    const store = createPredictionStore(db.pool, { maxBatch: 20, writers: 2 });
    const existing = record();
    await store.save([existing]);
    // A prediction id that is already stored breaks its group's INSERT (primary key).
    const saves = Array.from({ length: 120 }, (_, i) => (i === 60 ? [record(existing.id)] : [record(), record()]));
    const outcomes = await Promise.allSettled(saves.map((records) => store.save(records)));
    expect(outcomes[60].status).toBe('rejected');
    const ok = saves.filter((_, i) => outcomes[i].status === 'fulfilled').flat().map((r) => r.id);
    const failed = saves.filter((_, i) => i !== 60 && outcomes[i].status === 'rejected').flat().map((r) => r.id);
    expect(ok.length).toBeGreaterThan(150);
    expect((await stored(ok)).rows).toBe(ok.length);
    expect((await stored(failed)).rows).toBe(0);
  });
});

import { randomUUID } from 'node:crypto';
import { pruneMessaging } from '@vigil/common';
import { createTestDatabase, type TestDatabase } from '../../../../tests/support/database';

const DAY = 86_400_000;

describe('messaging retention', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  test('deletes inbox rows and sent outbox rows past retention, in batches; keeps recent rows and every unsent event', async () => {
    const inbox = (ageDays: number) =>
      db.pool.query(`INSERT INTO monitoring.inbox (consumer, event_id, topic, processed_at) VALUES ('c', $1, 't', now() - make_interval(days => $2))`, [randomUUID(), ageDays]);
    const outbox = (ageDays: number, sent: boolean) =>
      db.pool.query(
        `INSERT INTO monitoring.outbox (event_id, topic, payload, created_at, sent_at)
         VALUES ($1, 't', '\\x00', now() - make_interval(days => $2), CASE WHEN $3 THEN now() - make_interval(days => $2) END)`,
        [randomUUID(), ageDays, sent],
      );
    for (let i = 0; i < 23; i++) await inbox(30);
    for (let i = 0; i < 5; i++) await inbox(1);
    for (let i = 0; i < 17; i++) await outbox(30, true);
    await outbox(29, false); // old and never published (Kafka was down): must stay
    for (let i = 0; i < 4; i++) await outbox(1, true);

    const deleted = await pruneMessaging({ pool: db.pool, schema: 'monitoring', retentionMs: 14 * DAY, batchSize: 4 });
    expect(deleted).toEqual({ inbox: 23, outbox: 17 });
    const left = await db.pool.query(`
      SELECT (SELECT count(*)::int FROM monitoring.inbox) AS inbox,
             (SELECT count(*)::int FROM monitoring.outbox WHERE sent_at IS NOT NULL) AS sent,
             (SELECT count(*)::int FROM monitoring.outbox WHERE sent_at IS NULL) AS unsent`);
    expect(left.rows[0]).toEqual({ inbox: 5, sent: 4, unsent: 1 });
    // A second pass finds nothing more to delete.
    expect(await pruneMessaging({ pool: db.pool, schema: 'monitoring', retentionMs: 14 * DAY, batchSize: 4 })).toEqual({ inbox: 0, outbox: 0 });
  });
});

import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { Client } from 'pg';
import { createPool, decodeEvent, encodeEvent, migrateAll, newMeta, TOPICS, withTransaction } from '@vigil/common';
import { handlePredictionsMade } from '../src/consumers/prediction-made';

async function main() {
  const admin = new Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  await admin.connect(); await admin.query('DROP DATABASE IF EXISTS vigil_prof WITH (FORCE)'); await admin.end();
  const url = 'postgres://postgres@127.0.0.1:5432/vigil_prof';
  await migrateAll({ databaseUrl: url });
  const pool = createPool({ connectionString: url, applicationName: 'prof', role: 'vigil_monitoring' });
  const mk = (n: number) => Array.from({ length: n }, (_, i) => {
    const meta = newMeta('inference'); const p = Math.random();
    const value = Buffer.from(encodeEvent(TOPICS.predictionMade, { meta, predictionId: randomUUID(), modelName: 'churn', modelVersion: '1', modelSha256: 'ab'.repeat(32), inputSha256: 'cd'.repeat(32), score: p, latencyMs: 2, clientName: 'bench', label: 'churn', output: { probability: p, churn: p >= 0.5 }, entityId: `C-${i}` }));
    return { topic: 't', partition: 0, offset: String(i), key: 'churn', value, headers: {}, eventId: meta.eventId };
  });
  const log = pino({ level: 'silent' });
  for (let round = 0; round < 6; round++) {
    const batch = mk(3000);
    let t = performance.now();
    for (const m of batch) decodeEvent(TOPICS.predictionMade, m.value);
    const decodeMs = performance.now() - t;
    t = performance.now();
    await withTransaction(pool, async (tx) => {
      const t1 = performance.now();
      await tx.query(`INSERT INTO monitoring.inbox (consumer, event_id, topic) SELECT $1, e, t FROM unnest($2::uuid[], $3::text[]) AS u(e, t) ON CONFLICT DO NOTHING RETURNING event_id`, ['c', batch.map((m) => m.eventId), batch.map((m) => m.topic)]);
      const inboxMs = performance.now() - t1;
      const t2 = performance.now();
      await handlePredictionsMade(batch, tx, log);
      console.log(JSON.stringify({ decodeMs: +decodeMs.toFixed(1), inboxMs: +inboxMs.toFixed(1), handlerMs: +(performance.now() - t2).toFixed(1) }));
    });
    console.log('total tx ms', (performance.now() - t).toFixed(1), '→ events/s', Math.round(3000 / ((performance.now() - t) / 1000)));
  }
  await pool.end();
}
main();

import { randomUUID } from 'node:crypto';
import { createPool, withTransaction } from '@vigil/common';
import { createPredictionStore } from '../src/adapters/postgres/prediction-store';

async function main() {
  const pool = createPool({ connectionString: 'postgres://postgres@127.0.0.1:5432/vigil_prof', applicationName: 'prof', role: 'vigil_monitoring' });
  for (let round = 0; round < 6; round++) {
    const preds = Array.from({ length: 3000 }, (_, i) => ({ predictionId: randomUUID(), modelName: 'churn', modelVersion: '1', score: Math.random(), label: 'churn', positive: true, entityId: `C-${i}`, createdAt: new Date() }));
    await withTransaction(pool, async (tx) => {
      const s = createPredictionStore(tx);
      let t = performance.now();
      await s.save(preds);
      const saveMs = performance.now() - t;
      t = performance.now();
      await s.pendingLabels(preds.map((p) => p.predictionId));
      const pendMs = performance.now() - t;
      t = performance.now();
      await tx.query(`INSERT INTO monitoring.predictions (prediction_id, model_name, model_version, score, label, positive, entity_id, created_at)
        SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::float8[], $5::text[], $6::bool[], $7::text[], $8::timestamptz[]) ON CONFLICT DO NOTHING`,
        [preds.map(() => randomUUID()), preds.map((p) => p.modelName), preds.map((p) => p.modelVersion), preds.map((p) => p.score), preds.map((p) => p.label), preds.map((p) => p.positive), preds.map((p) => p.entityId), preds.map((p) => p.createdAt)]);
      const unnestMs = performance.now() - t;
      console.log(JSON.stringify({ saveMs: +saveMs.toFixed(1), pendMs: +pendMs.toFixed(1), unnestMs: +unnestMs.toFixed(1) }));
    });
  }
  await pool.end();
}
main();

import { randomUUID } from 'node:crypto';
import { Client } from 'pg';

async function main() {
  const c = new Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/vigil_prof' });
  await c.connect();
  const variants: Record<string, string[]> = {
    none: [],
    pk: ['ALTER TABLE t ADD PRIMARY KEY (prediction_id)'],
    pk_model: ['ALTER TABLE t ADD PRIMARY KEY (prediction_id)', 'CREATE INDEX ON t (model_name, created_at)'],
    pk_model_entity: ['ALTER TABLE t ADD PRIMARY KEY (prediction_id)', 'CREATE INDEX ON t (model_name, created_at)', 'CREATE INDEX ON t (entity_id, created_at) WHERE entity_id IS NOT NULL'],
    all4: ['ALTER TABLE t ADD PRIMARY KEY (prediction_id)', 'CREATE INDEX ON t (model_name, created_at)', 'CREATE INDEX ON t (entity_id, created_at) WHERE entity_id IS NOT NULL', 'CREATE INDEX ON t (created_at)'],
  };
  for (const [name, ddl] of Object.entries(variants)) {
    await c.query('DROP TABLE IF EXISTS t; CREATE TABLE t (LIKE monitoring.predictions)');
    for (const d of ddl) await c.query(d);
    const times: number[] = [];
    for (let round = 0; round < 10; round++) {
      const rows = Array.from({ length: 3000 }, (_, i) => ({ prediction_id: randomUUID(), model_name: 'churn', model_version: '1', score: Math.random(), label: 'churn', positive: true, entity_id: `C-${round}-${i}`, created_at: new Date() }));
      const t = performance.now();
      await c.query('INSERT INTO t SELECT * FROM json_populate_recordset(NULL::t, $1::json)', [JSON.stringify(rows)]);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    console.log(name, 'median ms per 3000:', times[5].toFixed(1));
  }
  await c.query('DROP TABLE t');
  await c.end();
}
main();

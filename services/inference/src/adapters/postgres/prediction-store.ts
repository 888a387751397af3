import { stageEvents, TOPICS, withTransaction, type Pool } from '@vigil/common';
import type { PredictionRecord, PredictionStore } from '../../domain/ports';

interface Waiter {
  records: PredictionRecord[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

export interface PredictionStoreOptions {
  /** Most predictions per transaction. */
  maxBatch: number;
  /** Called after each commit, e.g. to wake the outbox relay. */
  onCommitted?: () => void;
}

/**
 * Audit writes with group commit: while one transaction is in flight, the predictions of other
 * requests queue up and the next transaction writes them all — audit rows and prediction-made
 * outbox events together. Under load one commit (one fsync) serves hundreds of requests; alone,
 * a request waits for exactly one transaction. Every waiter learns whether its rows committed.
 */
export function createPredictionStore(pool: Pool, options: PredictionStoreOptions): PredictionStore {
  const queue: Waiter[] = [];
  let flushing = false;

  async function write(records: PredictionRecord[]): Promise<void> {
    await withTransaction(pool, async (tx) => {
      await tx.query(
        `INSERT INTO inference.predictions
           (id, created_at, request_id, client_name, model_name, model_version, model_sha256, entity_id, input_sha256, input, output, latency_ms)
         SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[], $8::text[], $9::text[], $10::jsonb[], $11::jsonb[], $12::real[])`,
        [
          records.map((r) => r.id),
          records.map((r) => r.createdAt),
          records.map((r) => r.requestId),
          records.map((r) => r.clientName),
          records.map((r) => r.model.name),
          records.map((r) => r.model.version),
          records.map((r) => r.model.sha256),
          records.map((r) => r.entityId),
          records.map((r) => r.inputSha256),
          records.map((r) => JSON.stringify(r.input)),
          records.map((r) => JSON.stringify(r.output)),
          records.map((r) => r.latencyMs),
        ],
      );
      await stageEvents(
        tx, 'inference', 'inference', TOPICS.predictionMade,
        records.map((r) => ({
          predictionId: r.id,
          modelName: r.model.name,
          modelVersion: String(r.model.version),
          modelSha256: r.model.sha256,
          inputSha256: r.inputSha256,
          output: JSON.parse(JSON.stringify(r.output)),
          score: typeof r.output.probability === 'number' ? r.output.probability : 0,
          label: typeof r.output.churn === 'boolean' ? (r.output.churn ? 'churn' : 'no-churn') : '',
          latencyMs: r.latencyMs,
          clientName: r.clientName,
        })),
      );
    });
  }

  async function flush(): Promise<void> {
    flushing = true;
    while (queue.length > 0) {
      const batch: Waiter[] = [];
      let count = 0;
      while (queue.length > 0 && (batch.length === 0 || count + queue[0].records.length <= options.maxBatch)) {
        const w = queue.shift()!;
        batch.push(w);
        count += w.records.length;
      }
      try {
        await write(batch.flatMap((w) => w.records));
        for (const w of batch) w.resolve();
        options.onCommitted?.();
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    }
    flushing = false;
  }

  return {
    save(records) {
      return new Promise<void>((resolve, reject) => {
        queue.push({ records, resolve, reject });
        if (!flushing) void flush();
      });
    },
    async get(id) {
      const { rows } = await pool.query('SELECT * FROM inference.predictions WHERE id = $1', [id]);
      const r = rows[0];
      if (!r) return null;
      return {
        id: r.id, createdAt: r.created_at, requestId: r.request_id, clientName: r.client_name,
        model: { name: r.model_name, version: r.model_version, sha256: r.model_sha256 },
        entityId: r.entity_id, inputSha256: r.input_sha256, input: r.input, output: r.output, latencyMs: r.latency_ms,
      };
    },
  };
}

import { AlertSeverity, isInfrastructureOutage, stageEvents, TOPICS, withTransaction, type Pool } from '@vigil/common';
import type { PredictionAlert, PredictionRecord, PredictionStore } from '../../domain/ports';

const SEVERITY = { info: AlertSeverity.INFO, warning: AlertSeverity.WARNING, critical: AlertSeverity.CRITICAL } as const;

interface Waiter {
  records: PredictionRecord[];
  alerts: PredictionAlert[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

export interface PredictionStoreOptions {
  /** Most predictions per transaction. */
  maxBatch: number;
  /** Transactions in flight at once (each on its own connection; default 1). Order between groups is not kept: each row stands alone. */
  writers?: number;
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
  let writers = 0;

  async function write(records: PredictionRecord[], alerts: PredictionAlert[]): Promise<void> {
    await withTransaction(pool, async (tx) => {
      // One JSON document for the whole group: Postgres expands it (jsonb_populate_recordset), which
      // measured ~3x cheaper than twelve parallel arrays, whose text[]/jsonb[] literals pg escapes
      // element by element in JavaScript.
      await tx.query('INSERT INTO inference.predictions SELECT * FROM jsonb_populate_recordset(NULL::inference.predictions, $1::jsonb)', [
        JSON.stringify(
          records.map((r) => ({
            id: r.id, created_at: r.createdAt, request_id: r.requestId, client_name: r.clientName, model_name: r.model.name,
            model_version: r.model.version, model_sha256: r.model.sha256, entity_id: r.entityId, input_sha256: r.inputSha256,
            input: r.input, output: r.output, latency_ms: r.latencyMs, image_sha256: r.imageSha256 ?? null,
          })),
        ),
      ]);
      await stageEvents(
        tx, 'inference', 'inference', TOPICS.predictionMade,
        records.map((r) => ({
          predictionId: r.id,
          modelName: r.model.name,
          modelVersion: String(r.model.version),
          modelSha256: r.model.sha256,
          inputSha256: r.inputSha256,
          // The event carries the decision, not the explanation: the audit row has the full output
          // under predictionId, and encoding explanations as protobuf Structs doubled the audit cost.
          output: eventOutput(r.output),
          score: scoreOf(r.output),
          label: typeof r.output.churn === 'boolean' ? (r.output.churn ? 'churn' : 'no-churn') : r.output.label !== undefined ? String(r.output.label) : '',
          latencyMs: r.latencyMs,
          clientName: r.clientName,
          entityId: r.entityId ?? undefined,
        })),
      );
      if (alerts.length > 0) {
        await stageEvents(
          tx, 'inference', 'inference', TOPICS.alertRaised,
          alerts.map((a) => ({
            alertId: a.alertId, kind: a.kind, severity: SEVERITY[a.severity], modelName: a.model.name,
            modelVersion: String(a.model.version), message: a.message, predictionId: a.predictionId,
          })),
        );
      }
    });
  }

  async function flush(): Promise<void> {
    writers++;
    while (queue.length > 0) {
      const batch: Waiter[] = [];
      let count = 0;
      while (queue.length > 0 && (batch.length === 0 || count + queue[0].records.length <= options.maxBatch)) {
        const w = queue.shift()!;
        batch.push(w);
        count += w.records.length;
      }
      try {
        await write(batch.flatMap((w) => w.records), batch.flatMap((w) => w.alerts));
        for (const w of batch) w.resolve();
        options.onCommitted?.();
      } catch (err) {
        if (batch.length === 1 || isInfrastructureOutage(err)) {
          for (const w of batch) w.reject(err);
          continue;
        }
        // One request's rows broke the group (a value Postgres refuses): each request alone, so
        // only that one fails and the others it happened to be batched with are still audited.
        for (const w of batch) {
          await write(w.records, w.alerts).then(() => {
            w.resolve();
            options.onCommitted?.();
          }, w.reject);
        }
      }
    }
    writers--;
  }

  return {
    save(records, alerts = []) {
      return new Promise<void>((resolve, reject) => {
        queue.push({ records, alerts, resolve, reject });
        if (writers < (options.writers ?? 1)) void flush();
      });
    },
    async get(id) {
      const { rows } = await pool.query<PredictionRow>('SELECT * FROM inference.predictions WHERE id = $1', [id]);
      return rows[0] ? toRecord(rows[0]) : null;
    },
    async findByEntity(entityId, modelName) {
      // predictions_by_entity (entity_id, created_at) serves it.
      const { rows } = await pool.query<PredictionRow>(
        'SELECT * FROM inference.predictions WHERE entity_id = $1 AND model_name = $2 ORDER BY created_at, id LIMIT 1',
        [entityId, modelName],
      );
      return rows[0] ? toRecord(rows[0]) : null;
    },
  };
}

interface PredictionRow {
  id: string;
  created_at: Date;
  request_id: string;
  client_name: string;
  model_name: string;
  model_version: number;
  model_sha256: string;
  entity_id: string | null;
  input_sha256: string;
  input: Record<string, unknown>;
  output: Record<string, unknown>;
  latency_ms: number;
  image_sha256: string | null;
}

function toRecord(r: PredictionRow): PredictionRecord {
  return {
    id: r.id, createdAt: r.created_at, requestId: r.request_id, clientName: r.client_name,
    model: { name: r.model_name, version: r.model_version, sha256: r.model_sha256 },
    entityId: r.entity_id, inputSha256: r.input_sha256, input: r.input, output: r.output, latencyMs: r.latency_ms,
    imageSha256: r.image_sha256,
  };
}

/** Churn's probability, a task model's score (positive-class or answered-class probability), or a regression's value. */
function scoreOf(output: Record<string, unknown>): number {
  for (const key of ['probability', 'score', 'value']) if (typeof output[key] === 'number') return output[key] as number;
  return 0;
}

function eventOutput(output: Record<string, unknown>): Record<string, string | number | boolean | null> {
  const flat: Record<string, string | number | boolean | null> = {};
  for (const [k, v] of Object.entries(output)) {
    if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') flat[k] = v;
  }
  return flat;
}

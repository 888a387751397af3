import { batchRowsOf, concatRows, splitRows } from '../../domain/batch-rows';
import { createBatcher, type Batcher } from '../../domain/dynamic-batcher';
import type { ExecTimings, Tensor } from '../../domain/ports';

export interface BatchingOptions {
  /** BATCH_MAX_SIZE: most rows per session run; 1 turns batching off. */
  maxSize: number;
  /** BATCH_MAX_WAIT_MS. */
  maxWaitMs: number;
}

/** One session run (one batch, however many requests it took), for nv_inference_exec_count and tests. */
export interface BatchRun {
  /** The model's name, or "backbone" for a shared image backbone. */
  model: string;
  /** The model's version, or the first 12 hex digits of the backbone's sha256. */
  version: string;
  requests: number;
  rows: number;
  computeMs: number;
}

/** Batchers by key (what requests must share to be stacked), all drained together before the session goes. */
function keyedBatchers<I, O>(create: () => Batcher<I, O>) {
  const byKey = new Map<string, Batcher<I, O>>();
  return {
    get(key: string): Batcher<I, O> {
      let b = byKey.get(key);
      if (!b) byKey.set(key, (b = create()));
      return b;
    },
    async drain(): Promise<void> {
      await Promise.all([...byKey.values()].map((b) => b.drain()));
    },
  };
}

const addTimings = (timings: ExecTimings | undefined, queueMs: number, computeMs: number) => {
  if (!timings) return;
  timings.queueMs += queueMs;
  timings.computeMs += computeMs;
};

/**
 * `execute` of a model whose inputs and outputs have the batch dimension first: concurrent
 * requests with the same tensor names and row shapes run as one stacked request, and each gets
 * its own rows back. Requests that cannot be stacked, and models that are not batchable, run as
 * they come.
 */
export function batchedExecute(
  run: (inputs: Tensor[]) => Promise<Tensor[]>,
  options: BatchingOptions & { batchable: boolean; label: Omit<BatchRun, 'requests' | 'rows' | 'computeMs'>; onBatch?: (r: BatchRun) => void },
) {
  const batchers = keyedBatchers(() =>
    createBatcher<Tensor[], Tensor[]>({
      ...options,
      rows: (inputs) => inputs[0].shape[0],
      async run(requests) {
        const rows = requests.map((r) => r[0].shape[0]);
        const started = performance.now();
        const outputs = await run(requests.length === 1 ? requests[0] : concatRows(requests));
        options.onBatch?.({ ...options.label, requests: requests.length, rows: rows.reduce((a, b) => a + b, 0), computeMs: performance.now() - started });
        return requests.length === 1 ? [outputs] : splitRows(outputs, rows);
      },
    }),
  );
  return {
    async execute(inputs: Tensor[], timings?: ExecTimings): Promise<Tensor[]> {
      const shape = options.batchable ? batchRowsOf(inputs) : null;
      if (!shape) {
        const started = performance.now();
        const outputs = await run(inputs);
        const computeMs = performance.now() - started;
        options.onBatch?.({ ...options.label, requests: 1, rows: inputs[0]?.shape[0] ?? 1, computeMs });
        addTimings(timings, 0, computeMs);
        return outputs;
      }
      const r = await batchers.get(shape.key).submit(inputs);
      addTimings(timings, r.queueMs, r.computeMs);
      return r.output;
    },
    drain: batchers.drain,
  };
}

interface Images {
  images: Float32Array;
  n: number;
}

/**
 * `embed` of an image backbone: concurrent calls with images of the same size are stacked into
 * one [N, h, w, c] run (the expensive part of an X-ray prediction), and each gets its own
 * embeddings back. Stacking is exact here: on the CPU provider a row's embedding is bit-identical
 * whether it runs alone or in a batch of 8 (measured; see test/integration/onnx-batching.test.ts).
 */
export function batchedEmbed(
  run: (images: Float32Array, n: number) => Promise<Float32Array>,
  options: BatchingOptions & { label: Omit<BatchRun, 'requests' | 'rows' | 'computeMs'>; onBatch?: (r: BatchRun) => void },
) {
  const batchers = keyedBatchers(() =>
    createBatcher<Images, Float32Array>({
      ...options,
      rows: (item) => item.n,
      async run(items) {
        const n = items.reduce((sum, item) => sum + item.n, 0);
        let images = items[0].images;
        if (items.length > 1) {
          images = new Float32Array(items.reduce((sum, item) => sum + item.images.length, 0));
          let offset = 0;
          for (const item of items) {
            images.set(item.images, offset);
            offset += item.images.length;
          }
        }
        const started = performance.now();
        const out = await run(images, n);
        options.onBatch?.({ ...options.label, requests: items.length, rows: n, computeMs: performance.now() - started });
        if (items.length === 1) return [out];
        const perRow = out.length / n;
        let row = 0;
        return items.map((item) => out.slice(perRow * row, perRow * (row += item.n)));
      },
    }),
  );
  return {
    async embed(images: Float32Array, n: number, timings?: ExecTimings): Promise<Float32Array> {
      const r = await batchers.get(String(images.length / n)).submit({ images, n });
      addTimings(timings, r.queueMs, r.computeMs);
      return r.output;
    },
    drain: batchers.drain,
  };
}

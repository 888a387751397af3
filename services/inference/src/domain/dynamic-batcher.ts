import { VigilError } from '@vigil/common';

/** Time and timers, injectable so the queue logic is tested without waiting. */
export interface BatcherClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const systemClock: BatcherClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface BatcherOptions<I, O> {
  /** Most rows in one run; an item alone larger than this runs alone. 1 turns batching off. */
  maxSize: number;
  /** Longest the first waiting item waits for others before its batch runs anyway. */
  maxWaitMs: number;
  /** Runs one batch; returns one output per item, in item order. */
  run(items: I[]): Promise<O[]>;
  /** Rows an item contributes (its batch dimension); 1 when not given. */
  rows?(item: I): number;
  clock?: BatcherClock;
}

export interface Batched<O> {
  output: O;
  /** From submit until its batch started running. */
  queueMs: number;
  /** The run of the whole batch it was part of. */
  computeMs: number;
  /** Rows in that batch, all callers together. */
  batchRows: number;
}

export interface Batcher<I, O> {
  submit(item: I): Promise<Batched<O>>;
  /** Runs what is waiting now and resolves once no batch is running (before the session is released). */
  drain(): Promise<void>;
}

interface Waiter<I, O> {
  item: I;
  enqueuedAt: number;
  resolve(value: Batched<O>): void;
  reject(err: unknown): void;
}

/**
 * Triton's dynamic batcher for one model: items submitted while a batch is forming join it; the
 * batch runs when it holds `maxSize` rows or `maxWaitMs` after its first item arrived, whichever
 * comes first. Batches do not wait for each other (as Triton with several model instances): the
 * session may run more than one at a time. An error fails only the callers of that batch.
 */
export function createBatcher<I, O>(options: BatcherOptions<I, O>): Batcher<I, O> {
  const clock = options.clock ?? systemClock;
  const rowsOf = options.rows ?? (() => 1);
  let waiting: Waiter<I, O>[] = [];
  let waitingRows = 0;
  let timer: unknown = null;
  const running = new Set<Promise<void>>();

  async function runBatch(batch: Waiter<I, O>[], rows: number): Promise<void> {
    const started = clock.now();
    let outputs: O[];
    try {
      outputs = await options.run(batch.map((w) => w.item));
      if (outputs.length !== batch.length) {
        throw new VigilError('VIGIL_INTERNAL', `A batch of ${batch.length} requests returned ${outputs.length} results`);
      }
    } catch (err) {
      for (const w of batch) w.reject(err);
      return;
    }
    const computeMs = clock.now() - started;
    batch.forEach((w, i) => w.resolve({ output: outputs[i], queueMs: started - w.enqueuedAt, computeMs, batchRows: rows }));
  }

  function flush(): void {
    if (timer !== null) clock.clearTimeout(timer);
    timer = null;
    if (!waiting.length) return;
    const [batch, rows] = [waiting, waitingRows];
    waiting = [];
    waitingRows = 0;
    const run = runBatch(batch, rows);
    running.add(run);
    void run.finally(() => running.delete(run));
  }

  return {
    submit(item) {
      const rows = rowsOf(item);
      return new Promise<Batched<O>>((resolve, reject) => {
        // The batch forming cannot take this item without going over: it runs now, this one starts the next.
        if (waitingRows > 0 && waitingRows + rows > options.maxSize) flush();
        waiting.push({ item, enqueuedAt: clock.now(), resolve, reject });
        waitingRows += rows;
        if (waitingRows >= options.maxSize) flush();
        else if (timer === null) timer = clock.setTimeout(flush, options.maxWaitMs);
      });
    },
    async drain() {
      flush();
      while (running.size) await Promise.all(running);
    },
  };
}

import { createBatcher, type BatcherClock } from '../../src/domain/dynamic-batcher';

/** A clock whose time moves only when the test says; timers fire as it passes them. */
function manualClock() {
  let now = 0;
  let next = 1;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const clock: BatcherClock = {
    now: () => now,
    setTimeout: (fn, ms) => {
      timers.set(next, { at: now + ms, fn });
      return next++;
    },
    clearTimeout: (handle) => void timers.delete(handle as number),
  };
  return {
    clock,
    pending: () => timers.size,
    advance(ms: number) {
      now += ms;
      for (const [id, t] of [...timers]) {
        if (t.at <= now) {
          timers.delete(id);
          t.fn();
        }
      }
    },
  };
}

/** A run that records each batch and answers item × 10, finishing when the test resolves it. */
function recordingRun() {
  const batches: number[][] = [];
  const finish: (() => void)[] = [];
  return {
    batches,
    finishAll: () => finish.splice(0).forEach((f) => f()),
    run: (items: number[]) => {
      batches.push(items);
      return new Promise<number[]>((resolve) => finish.push(() => resolve(items.map((i) => i * 10))));
    },
  };
}

describe('dynamic batcher', () => {
  test('requests arriving within the wait run as one batch, and each caller gets its own result', async () => {
    const { clock, advance } = manualClock();
    const r = recordingRun();
    const batcher = createBatcher({ maxSize: 8, maxWaitMs: 2, run: r.run, clock });
    const first = batcher.submit(1);
    advance(1);
    const rest = [batcher.submit(2), batcher.submit(3)];
    expect(r.batches).toEqual([]);
    advance(1);
    expect(r.batches).toEqual([[1, 2, 3]]);
    advance(5);
    r.finishAll();
    const results = await Promise.all([first, ...rest]);
    expect(results.map((x) => x.output)).toEqual([10, 20, 30]);
    // Queue time is each caller's own wait; compute time is the batch's run, the same for all.
    expect(results.map((x) => x.queueMs)).toEqual([2, 1, 1]);
    expect(results.map((x) => x.computeMs)).toEqual([5, 5, 5]);
    expect(results.every((x) => x.batchRows === 3)).toBe(true);
  });

  test('a full batch runs at once without waiting, and the next request starts a new one', async () => {
    const { clock, advance, pending } = manualClock();
    const r = recordingRun();
    const batcher = createBatcher({ maxSize: 3, maxWaitMs: 2, run: r.run, clock });
    const calls = [1, 2, 3, 4].map((i) => batcher.submit(i));
    expect(r.batches).toEqual([[1, 2, 3]]);
    expect(pending()).toBe(1);
    advance(2);
    expect(r.batches).toEqual([[1, 2, 3], [4]]);
    r.finishAll();
    expect((await Promise.all(calls)).map((x) => x.queueMs)).toEqual([0, 0, 0, 2]);
  });

  test('rows count, not requests: a request that would overflow the batch starts the next, one larger than the limit runs alone', async () => {
    const { clock, advance } = manualClock();
    const r = recordingRun();
    const batcher = createBatcher({ maxSize: 8, maxWaitMs: 2, run: r.run, clock, rows: (n: number) => n });
    const calls = [batcher.submit(3), batcher.submit(4), batcher.submit(2), batcher.submit(20), batcher.submit(1)];
    // 3+4 wait; 2 would make 9 rows, so [3,4] runs and 2 waits; 20 cannot join [2] either and is over the limit by itself.
    expect(r.batches).toEqual([[3, 4], [2], [20]]);
    advance(2);
    expect(r.batches).toEqual([[3, 4], [2], [20], [1]]);
    r.finishAll();
    expect((await Promise.all(calls)).map((x) => x.output)).toEqual([30, 40, 20, 200, 10]);
  });

  test('an error fails only the callers of the batch it happened in', async () => {
    const { clock, advance } = manualClock();
    let n = 0;
    const batcher = createBatcher({
      maxSize: 2,
      maxWaitMs: 2,
      clock,
      run: async (items: number[]) => {
        if (n++ === 0) throw Object.assign(new Error('session failed'), { code: 'VIGIL_INTERNAL' });
        return items;
      },
    });
    const failed = [batcher.submit(1), batcher.submit(2)];
    const fine = batcher.submit(3);
    advance(2);
    await expect(failed[0]).rejects.toThrow('session failed');
    await expect(failed[1]).rejects.toThrow('session failed');
    await expect(fine).resolves.toMatchObject({ output: 3 });
  });

  test('a run that returns the wrong number of results fails its callers with VIGIL_INTERNAL', async () => {
    const { clock, advance } = manualClock();
    const batcher = createBatcher({ maxSize: 8, maxWaitMs: 1, clock, run: async () => [1] });
    const calls = [batcher.submit(1), batcher.submit(2)];
    advance(1);
    for (const c of calls) await expect(c).rejects.toMatchObject({ code: 'VIGIL_INTERNAL' });
  });

  test('with a limit of one row nothing waits: every request runs as it comes (batching off)', async () => {
    const { clock, pending } = manualClock();
    const r = recordingRun();
    const batcher = createBatcher({ maxSize: 1, maxWaitMs: 50, run: r.run, clock });
    const calls = [batcher.submit(1), batcher.submit(2)];
    expect(r.batches).toEqual([[1], [2]]);
    expect(pending()).toBe(0);
    r.finishAll();
    await Promise.all(calls);
  });

  test('drain runs what is waiting without waiting for the timer and resolves after the runs in flight', async () => {
    const { clock, pending } = manualClock();
    const r = recordingRun();
    const batcher = createBatcher({ maxSize: 8, maxWaitMs: 1000, run: r.run, clock });
    const call = batcher.submit(7);
    let drained = false;
    const drain = batcher.drain().then(() => (drained = true));
    expect(r.batches).toEqual([[7]]);
    expect(pending()).toBe(0);
    await Promise.resolve();
    expect(drained).toBe(false);
    r.finishAll();
    await drain;
    await expect(call).resolves.toMatchObject({ output: 70 });
  });
});

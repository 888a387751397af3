/**
 * Dynamic batching in the onnxruntime adapter, on the real MobileNetV2 backbone and a real head:
 * concurrent calls become one session run, and every caller gets the same bits it would have got
 * alone (the audit's replay compares probabilities bit for bit).
 */
import * as ort from 'onnxruntime-node';
import type { BatchRun } from '../../src/adapters/onnx/batched-runs';
import { PROBE_MODEL } from '../../src/adapters/onnx/execution-providers';
import { createOnnxRuntime } from '../../src/adapters/onnx/model-runtime';
import { createLiveModels } from '../../src/domain/live-models';
import type { ExecTimings, LoadedModel, ModelRuntime, Tensor } from '../../src/domain/ports';
import { images, imageModel } from '../support/image-model';

const fixture = imageModel();
const bits = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const embeddingInput = (e: Float32Array): Tensor[] => [{ name: 'embedding', datatype: 'FP32', shape: [1, e.length], data: Array.from(e) }];

describe('dynamic batching in the onnxruntime runtime', () => {
  const runs: BatchRun[] = [];
  // A wait long enough that calls started together always meet, even on a loaded CI machine.
  const runtime = createOnnxRuntime({ intraOpThreads: 1, executionProvider: 'cpu', batch: { maxSize: 8, maxWaitMs: 25 }, onBatch: (r) => runs.push(r) });
  let model: LoadedModel;
  let alone: Float32Array[];

  beforeAll(async () => {
    model = await runtime.load(fixture.ref, fixture.head, fixture.config, fixture.files);
    alone = [];
    for (let i = 0; i < 11; i++) alone.push(await model.embed!(images(1, i), 1));
  }, 60_000);
  afterAll(() => runtime.unload(model));
  beforeEach(() => void runs.splice(0));

  test('sessions run on the provider chosen at start, and each loaded model says which', () => {
    expect(runtime.executionProvider).toBe('cpu');
    expect(model.executionProvider).toBe('cpu');
  });

  test('8 concurrent embed calls are one session run of 8, and each row has the same bits as its call alone', async () => {
    const together = await Promise.all(Array.from({ length: 8 }, (_, i) => model.embed!(images(1, i), 1)));
    expect(runs.map((r) => [r.model, r.requests, r.rows])).toEqual([['backbone', 8, 8]]);
    expect(runs[0].version).toBe(fixture.config.backbone!.sha256.slice(0, 12));
    together.forEach((e, i) => {
      expect(e).toHaveLength(fixture.embeddingSize);
      expect(bits(e).equals(bits(alone[i]))).toBe(true);
    });
  });

  test('more concurrent calls than BATCH_MAX_SIZE make a full batch and a batch of the rest; a call of 2 images gets its 2 rows', async () => {
    const calls = Array.from({ length: 9 }, (_, i) => model.embed!(images(1, i), 1));
    const pair = model.embed!(images(2, 9), 2);
    const results = await Promise.all([...calls, pair]);
    expect(runs.map((r) => r.rows)).toEqual([8, 3]);
    expect(runs.map((r) => r.requests)).toEqual([8, 2]);
    results.slice(0, 9).forEach((e, i) => expect(bits(e).equals(bits(alone[i]))).toBe(true));
    const [p9, p10] = [results[9].subarray(0, fixture.embeddingSize), results[9].subarray(fixture.embeddingSize)];
    expect(bits(p9).equals(bits(alone[9]))).toBe(true);
    expect(bits(p10).equals(bits(alone[10]))).toBe(true);
  });

  test('concurrent head calls are batched too, with queue time reported apart from compute time', async () => {
    const one = await model.execute(embeddingInput(alone[0]));
    runs.splice(0);
    const timings: ExecTimings[] = alone.slice(0, 5).map(() => ({ queueMs: 0, computeMs: 0 }));
    const outs = await Promise.all(alone.slice(0, 5).map((e, i) => model.execute(embeddingInput(e), timings[i])));
    expect(runs.map((r) => [r.model, r.version, r.requests, r.rows])).toEqual([['xray-pneumonia', '1', 5, 5]]);
    expect(outs.map((o) => o[0].shape)).toEqual(Array(5).fill([1, 1]));
    expect(outs[0][0].data).toEqual(one[0].data);
    for (let i = 1; i < 5; i++) expect(outs[i][0].data).toEqual((await model.execute(embeddingInput(alone[i])))[0].data);
    // The first caller waited for the batch window (25 ms); every caller's compute is the one run.
    expect(timings[0].queueMs).toBeGreaterThanOrEqual(20);
    expect(timings.every((t) => t.computeMs > 0)).toBe(true);
    expect(new Set(timings.map((t) => t.computeMs)).size).toBe(1);
  });

  test('a failing call fails only its own batch', async () => {
    const bad = model.embed!(new Float32Array(100), 1);
    const good = [model.embed!(images(1, 0), 1), model.embed!(images(1, 1), 1)];
    await expect(bad).rejects.toThrow();
    const ok = await Promise.all(good);
    expect(bits(ok[1]).equals(bits(alone[1]))).toBe(true);
  });

  test('a request waiting in a batch when its version is hot-swapped gets its rows; the old version is unloaded only after', async () => {
    const unloaded: number[] = [];
    const tracking: ModelRuntime = { load: runtime.load, unload: async (m) => void unloaded.push(m.ref.version) };
    const live = createLiveModels(tracking);
    const v1 = await runtime.load(fixture.ref, fixture.head, fixture.config, fixture.files);
    const v2 = await runtime.load({ ...fixture.ref, version: 2 }, fixture.head, fixture.config, fixture.files);
    live.swap(v1);
    const lease = live.acquire(fixture.ref.name)!;
    const pending = lease.model.embed!(images(1, 3), 1).then((e) => lease.model.execute(embeddingInput(e)));
    live.swap(v2);
    expect(unloaded).toEqual([]);
    const [out] = await pending;
    expect(out.data).toEqual((await model.execute(embeddingInput(alone[3])))[0].data);
    lease.release();
    expect(unloaded).toEqual([1]);
    await runtime.unload(v1);
    // v2 holds the shared backbone on its own now.
    expect(bits(await v2.embed!(images(1, 4), 1)).equals(bits(alone[4]))).toBe(true);
    await runtime.unload(v2);
  });

  test('unloading a version first runs what is waiting in its batchers, then releases the session', async () => {
    const v = await runtime.load({ ...fixture.ref, version: 3 }, fixture.head, fixture.config, fixture.files);
    const waiting = [v.embed!(images(1, 5), 1), v.execute(embeddingInput(alone[5]))];
    await runtime.unload(v);
    const [embedding, [probability]] = (await Promise.all(waiting)) as [Float32Array, Tensor[]];
    expect(bits(embedding).equals(bits(alone[5]))).toBe(true);
    expect(probability.shape).toEqual([1, 1]);
  });

  test('the 75-byte model that probes a provider loads and runs (here on cpu)', async () => {
    const session = await ort.InferenceSession.create(PROBE_MODEL, { executionProviders: ['cpu'] });
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.of(42), [1]) });
    expect(Array.from(out.y.data as Float32Array)).toEqual([42]);
    await session.release();
  });
});

import { createLiveModels } from '../../src/domain/live-models';
import type { LoadedModel, ModelRuntime } from '../../src/domain/ports';

const model = (version: number): LoadedModel => ({
  ref: { name: 'churn', version, sha256: `sha-${version}` },
  config: { name: 'churn', pipeline: 'churn', threshold: 0.5, inputs: [], outputs: [], spec: null },
  execute: async () => [],
});

function runtime() {
  const unloaded: number[] = [];
  const rt: ModelRuntime = { load: async () => model(0), unload: async (m) => void unloaded.push(m.ref.version) };
  return { rt, unloaded };
}

describe('live models (hot swap)', () => {
  test('a request in flight keeps the version it started with; later requests get the new one', () => {
    const { rt, unloaded } = runtime();
    const live = createLiveModels(rt);
    live.swap(model(1));
    const inFlight = live.acquire('churn')!;
    live.swap(model(2));
    expect(inFlight.model.ref.version).toBe(1);
    expect(live.acquire('churn')!.model.ref.version).toBe(2);
    // v1 is unloaded only when its last request has finished.
    expect(unloaded).toEqual([]);
    inFlight.release();
    expect(unloaded).toEqual([1]);
  });

  test('a retired version with no requests is unloaded at once; releasing twice counts once', () => {
    const { rt, unloaded } = runtime();
    const live = createLiveModels(rt);
    live.swap(model(1));
    const lease = live.acquire('churn')!;
    lease.release();
    lease.release();
    live.swap(model(2));
    expect(unloaded).toEqual([1]);
    expect(live.acquire('nope')).toBeNull();
  });
});

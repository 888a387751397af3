import { createLiveModels } from '../../src/domain/live-models';
import type { LoadedModel, ModelConfig, ModelRef, ModelRuntime, ModelSource } from '../../src/domain/ports';
import { syncLiveModels } from '../../src/domain/sync-live-models';

const config = (name: string): ModelConfig => ({ name, pipeline: 'generic', threshold: 0.5, inputs: [], outputs: [], spec: null });
const ref = (name: string, version: number): ModelRef => ({ name, version, sha256: `${name}-${version}` });

/** A registry whose live versions the test sets, and a runtime that records loads and unloads. */
function setup() {
  let liveVersions: ModelRef[] = [];
  const loads: string[] = [];
  const unloads: string[] = [];
  const runtime: ModelRuntime = {
    load: async (r) => {
      loads.push(`${r.name}@${r.version}`);
      return { ref: r, config: config(r.name), execute: async () => [] } satisfies LoadedModel;
    },
    unload: async (m) => void unloads.push(`${m.ref.name}@${m.ref.version}`),
  };
  const source: ModelSource = {
    liveVersions: async () => liveVersions,
    version: async () => null,
    artifact: async (r) => ({ onnx: new Uint8Array(), config: config(r.name), files: {} }),
  };
  const live = createLiveModels(runtime);
  return {
    live, loads, unloads,
    setLive: (...refs: ModelRef[]) => void (liveVersions = refs),
    sync: () => syncLiveModels({ source, runtime, live }),
  };
}

describe('syncing the served models with the registry', () => {
  test('a decommissioned model (no live version any more) stops being served and is unloaded; the others stay', async () => {
    const s = setup();
    s.setLive(ref('churn', 1), ref('xray-type', 2));
    expect((await s.sync()).loaded).toEqual([ref('churn', 1), ref('xray-type', 2)]);

    s.setLive(ref('xray-type', 2));
    expect(await s.sync()).toEqual({ loaded: [], removed: [ref('churn', 1)] });
    expect(s.live.acquire('churn')).toBeNull();
    expect(s.live.get('xray-type')?.ref).toEqual(ref('xray-type', 2));
    expect(s.unloads).toEqual(['churn@1']);
    // Idempotent: nothing more to do.
    expect(await s.sync()).toEqual({ loaded: [], removed: [] });
  });

  test('a request in flight on a decommissioned model finishes on it; the unload waits for it', async () => {
    const s = setup();
    s.setLive(ref('churn', 3));
    await s.sync();
    const lease = s.live.acquire('churn')!;
    s.setLive();
    await s.sync();
    expect(s.live.acquire('churn')).toBeNull();
    expect(lease.model.ref.version).toBe(3);
    expect(s.unloads).toEqual([]);
    lease.release();
    expect(s.unloads).toEqual(['churn@3']);
  });

  test('promoting again after a decommission serves the model again', async () => {
    const s = setup();
    s.setLive(ref('churn', 1));
    await s.sync();
    s.setLive();
    await s.sync();
    s.setLive(ref('churn', 1));
    expect(await s.sync()).toEqual({ loaded: [ref('churn', 1)], removed: [] });
    expect(s.live.acquire('churn')?.model.ref).toEqual(ref('churn', 1));
    expect(s.loads).toEqual(['churn@1', 'churn@1']);
  });
});

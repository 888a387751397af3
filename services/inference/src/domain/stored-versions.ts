import { VigilError } from '@vigil/common';
import type { Lease } from './live-models';
import type { LoadedModel, ModelRuntime, ModelSource } from './ports';

export interface StoredVersions {
  /** A lease on exactly this version, loaded for the asking if it is not live; 404 unknown, 409 decommissioned. */
  acquire(name: string, version: number): Promise<Lease>;
  close(): Promise<void>;
}

interface Entry {
  loading: Promise<LoadedModel>;
  inFlight: number;
  lastUsed: number;
}

/**
 * Versions that are not live, served by explicit request (OIP /versions/{v}/infer, ?version=), as
 * Triton's explicit model control loads a version on demand: at most `maxLoaded` stay loaded,
 * the least recently used idle one is unloaded when another is needed, so memory stays bounded.
 * A version whose model is decommissioned is refused: retiring a model retires all its versions.
 */
export function createStoredVersions(deps: { source: ModelSource; runtime: ModelRuntime; maxLoaded: number; now?: () => number }): StoredVersions {
  const now = deps.now ?? Date.now;
  const entries = new Map<string, Entry>();
  const unload = async (key: string, e: Entry) => {
    entries.delete(key);
    await deps.runtime.unload(await e.loading).catch(() => undefined);
  };
  const evict = async () => {
    const idle = [...entries].filter(([, e]) => e.inFlight === 0).sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    while (entries.size >= deps.maxLoaded && idle.length) {
      const [key, e] = idle.shift()!;
      await unload(key, e);
    }
  };
  return {
    async acquire(name, version) {
      const found = await deps.source.version(name, version);
      if (!found) throw new VigilError('VIGIL_NOT_FOUND', `Model ${name} has no version ${version}`);
      if (found.decommissioned) throw new VigilError('VIGIL_CONFLICT', `Model ${name} is decommissioned: none of its versions is served (promote one to serve it again)`);
      const key = `${name}\u0000${version}\u0000${found.ref.sha256}`;
      let entry = entries.get(key);
      if (!entry) {
        await evict();
        const loading = deps.source.artifact(found.ref).then((a) => deps.runtime.load(found.ref, a.onnx, a.config, a.files));
        entry = { loading, inFlight: 0, lastUsed: now() };
        entries.set(key, entry);
        loading.catch(() => entries.delete(key));
      }
      const e = entry;
      e.inFlight += 1;
      e.lastUsed = now();
      let model: LoadedModel;
      try {
        model = await e.loading;
      } catch (err) {
        e.inFlight -= 1;
        throw new VigilError('VIGIL_UNAVAILABLE', `Version ${version} of ${name} could not be loaded`, { cause: err });
      }
      let released = false;
      return {
        model,
        release() {
          if (released) return;
          released = true;
          e.inFlight -= 1;
          e.lastUsed = now();
        },
      };
    },
    async close() {
      await Promise.all([...entries].map(([key, e]) => unload(key, e)));
    },
  };
}

import type { LoadedModel, ModelRuntime } from './ports';

export interface Lease {
  model: LoadedModel;
  release(): void;
}

interface Entry {
  model: LoadedModel;
  inFlight: number;
  retired: boolean;
}

/**
 * The versions being served, one per model name. A request leases the version that is live when
 * it starts and finishes on it; a swap installs the new version for later requests and unloads
 * the old one when its last request has finished — so a hot swap fails no request.
 */
export function createLiveModels(runtime: ModelRuntime) {
  const live = new Map<string, Entry>();

  const maybeUnload = (entry: Entry) => {
    if (entry.retired && entry.inFlight === 0) void runtime.unload(entry.model).catch(() => undefined);
  };

  return {
    acquire(name: string): Lease | null {
      const entry = live.get(name);
      if (!entry) return null;
      entry.inFlight += 1;
      let released = false;
      return {
        model: entry.model,
        release() {
          if (released) return;
          released = true;
          entry.inFlight -= 1;
          maybeUnload(entry);
        },
      };
    },
    swap(model: LoadedModel): void {
      const previous = live.get(model.ref.name);
      live.set(model.ref.name, { model, inFlight: 0, retired: false });
      if (previous) {
        previous.retired = true;
        maybeUnload(previous);
      }
    },
    /** Stops serving a model (decommissioned): later requests find none; requests in flight finish, then it is unloaded. */
    remove(name: string): void {
      const entry = live.get(name);
      if (!entry) return;
      live.delete(name);
      entry.retired = true;
      maybeUnload(entry);
    },
    get(name: string): LoadedModel | undefined {
      return live.get(name)?.model;
    },
    all(): LoadedModel[] {
      return [...live.values()].map((e) => e.model);
    },
  };
}

export type LiveModels = ReturnType<typeof createLiveModels>;

import type { LiveModels } from './live-models';
import type { ModelRef, ModelRuntime, ModelSource } from './ports';
import { prepareForServing } from './postprocess';

export interface SyncDeps {
  source: ModelSource;
  runtime: ModelRuntime;
  live: LiveModels;
}

/**
 * Makes the served versions match the registry's live versions: loads what changed (fully, before
 * swapping it in), removes models that no longer have a live version (decommissioned: requests
 * get MODEL_NOT_READY) and leaves the rest alone. Idempotent, so it serves both start-up and every
 * model-deployed event, whatever order or how many times they arrive.
 */
export async function syncLiveModels(deps: SyncDeps): Promise<{ loaded: ModelRef[]; removed: ModelRef[] }> {
  const loaded: ModelRef[] = [];
  const liveVersions = await deps.source.liveVersions();
  const names = new Set(liveVersions.map((ref) => ref.name));
  const removed = deps.live.all().map((m) => m.ref).filter((ref) => !names.has(ref.name));
  for (const ref of removed) deps.live.remove(ref.name);
  for (const ref of liveVersions) {
    const current = deps.live.get(ref.name)?.ref;
    if (current && current.version === ref.version && current.sha256 === ref.sha256) continue;
    const { onnx, config, files } = await deps.source.artifact(ref);
    const model = await deps.runtime.load(ref, onnx, config, files);
    prepareForServing(config);
    deps.live.swap(model);
    loaded.push(ref);
  }
  return { loaded, removed };
}

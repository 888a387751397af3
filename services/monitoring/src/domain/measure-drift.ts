import { VigilError } from '@vigil/common';
import { driftOf } from './drift';
import type { Drift, DriftReader, VersionDrift, VersionReference } from './drift-ports';
import type { Window } from './windows';

/**
 * Most live predictions per version that drift is computed on: the newest 20,000 of the window.
 * With 20,000 rows a decile bin's live share has a standard error of 0.2 percentage points, far
 * below the shifts PSI flags (0.2 takes shares moving by several points); more rows would only
 * make each refresh slower.
 */
export const DRIFT_ROW_CAP = 20_000;

const features = (v: VersionReference) => v.reference.features.map((f) => f.name);

/** GET /v1/monitoring/models/{name}/drift: one version (by default the one that served the newest prediction) over one window. */
export async function modelDrift(
  reader: DriftReader,
  request: { modelName: string; window: Window; version?: string },
  cap = DRIFT_ROW_CAP,
): Promise<Drift & { model: string; version: string; window: Window; from: Date; to: Date }> {
  const references = await reader.references(request.modelName);
  if (references.length === 0) {
    throw new VigilError('VIGIL_NOT_FOUND', `Model ${request.modelName} has no version with a reference distribution`);
  }
  const byVersion = new Map(references.map((r) => [r.modelVersion, r]));
  const newest = references.reduce((a, b) => (Number(b.modelVersion) > Number(a.modelVersion) ? b : a));
  const version = request.version ?? (await reader.latestVersion(request.modelName)) ?? newest.modelVersion;
  const target = byVersion.get(version);
  if (!target) {
    throw new VigilError('VIGIL_NOT_FOUND', `Version ${version} of ${request.modelName} has no reference distribution (unknown, or trained before references were stored)`);
  }
  const { asOf, rows } = await reader.recent({
    modelName: request.modelName, modelVersion: version, windowMs: request.window.ms, features: features(target), cap,
  });
  return {
    model: request.modelName, version, window: request.window, from: new Date(asOf.getTime() - request.window.ms), to: asOf,
    ...driftOf(request.modelName, target.reference, rows, rows.length >= cap),
  };
}

/**
 * Drift of every version with a reference and predictions, in every window: one read per version
 * (the newest `cap` rows of the longest window); a shorter window's rows are those of them inside
 * it, which are also its newest `cap` — the newest rows of a longer window are the newest overall.
 */
export async function measureAllDrift(reader: DriftReader, windows: readonly Window[], cap = DRIFT_ROW_CAP): Promise<{ window: string; versions: VersionDrift[] }[]> {
  const longest = windows.reduce((a, b) => (b.ms > a.ms ? b : a));
  const results = windows.map((w) => ({ window: w.name, versions: [] as VersionDrift[] }));
  for (const v of await reader.references()) {
    const { asOf, rows } = await reader.recent({ modelName: v.modelName, modelVersion: v.modelVersion, windowMs: longest.ms, features: features(v), cap });
    if (rows.length === 0) continue;
    windows.forEach((w, i) => {
      const since = asOf.getTime() - w.ms;
      const inside = rows.filter((r) => r.createdAt.getTime() > since);
      if (inside.length === 0) return;
      results[i].versions.push({ modelName: v.modelName, modelVersion: v.modelVersion, ...driftOf(v.modelName, v.reference, inside, rows.length >= cap && inside.length === rows.length) });
    });
  }
  return results;
}

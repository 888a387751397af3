import { VigilError } from '@vigil/common';
import { sampleKey, type PairReader, type QualityQuery, type QualityReader, type TaskConfigs } from './ports';
import { taskMetricsOf } from './task-quality';
import { qualityOf, type VersionQuality } from './quality';
import { windowStart, type Window } from './windows';

/**
 * Most labelled predictions per version that AUC is computed on (the newest ones). Counts,
 * precision, recall, Brier are exact (computed in Postgres); AUC needs the scores in memory:
 * 50,000 pairs are ~2 MB and sort in ~15 ms.
 */
export const AUC_SAMPLE_CAP = 50_000;

/** Newest version first: numeric versions by number, others by name. */
const byVersionDesc = (a: VersionQuality, b: VersionQuality) =>
  a.modelName.localeCompare(b.modelName) || Number(b.modelVersion) - Number(a.modelVersion) || b.modelVersion.localeCompare(a.modelVersion);

/** Quality of every model version (or the ones asked for) with predictions in each window, in the order of `query.windowsMs`. */
export async function measureWindows(reader: QualityReader, query: QualityQuery, cap = AUC_SAMPLE_CAP): Promise<{ asOf: Date; windows: VersionQuality[][] }> {
  const { asOf, counts, samples } = await reader.read(query, cap);
  const windows = query.windowsMs.map((windowMs) =>
    counts
      .filter((c) => c.windowMs === windowMs)
      .map((c) => ({ modelName: c.modelName, modelVersion: c.modelVersion, ...qualityOf(c, samples.get(sampleKey(windowMs, c.modelName, c.modelVersion)) ?? []) }))
      .sort(byVersionDesc),
  );
  return { asOf, windows };
}

/** Quality of every model version (or the ones asked for) with predictions in one window. */
export async function measureQuality(
  reader: QualityReader,
  query: { windowMs: number; modelName?: string; modelVersion?: string },
  cap = AUC_SAMPLE_CAP,
): Promise<{ asOf: Date; versions: VersionQuality[] }> {
  const { asOf, windows } = await measureWindows(reader, { windowsMs: [query.windowMs], modelName: query.modelName, modelVersion: query.modelVersion }, cap);
  return { asOf, versions: windows[0] };
}

/** GET /v1/monitoring/models/{name}/performance: one model, one window, all versions or one. */
export async function modelPerformance(
  reader: QualityReader & PairReader,
  request: { modelName: string; window: Window; version?: string },
  tasks: TaskConfigs,
) {
  if (!(await reader.knowsModel(request.modelName))) {
    throw new VigilError('VIGIL_NOT_FOUND', `Monitoring has no prediction of model ${request.modelName}`);
  }
  const { asOf, versions } = await measureQuality(reader, { windowMs: request.window.ms, modelName: request.modelName, modelVersion: request.version });
  // Versions that answer by a multiclass or regression task also get that task's metrics.
  const taskOf = new Map(await Promise.all(versions.map(async (v) => [v.modelVersion, await tasks.get(request.modelName, v.modelVersion)] as const)));
  const needPairs = [...taskOf.values()].some((t) => t?.answersByTask && t.task !== 'binary-classification');
  const pairs = needPairs ? await reader.labelledPairs({ modelName: request.modelName, modelVersion: request.version, windowMs: request.window.ms }, AUC_SAMPLE_CAP) : [];
  const withTasks = versions.map((v) => {
    const taskMetrics = taskMetricsOf(taskOf.get(v.modelVersion) ?? null, pairs.filter((p) => p.modelVersion === v.modelVersion));
    return { ...v, task: taskOf.get(v.modelVersion)?.task ?? null, ...(taskMetrics ? { taskMetrics } : {}) };
  });
  return { model: request.modelName, window: request.window, from: windowStart(asOf, request.window.ms), to: asOf, versions: withTasks };
}

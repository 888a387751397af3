import { VigilError } from '@vigil/common';
import type { UsageReader, VersionUsage } from './usage-ports';

const DAY_MS = 86_400_000;

export interface ModelUsage {
  model: string;
  asOf: Date;
  requests: number;
  lastUsedAt: Date | null;
  /** Whole days since the last prediction — or, for a model never used, since its first version was registered. */
  unusedForDays: number;
  unusedThresholdDays: number;
  /** Unused for more than the threshold: a candidate for decommissioning. */
  flagged: boolean;
  versions: (VersionUsage & { unusedForDays: number })[];
}

const latest = (dates: (Date | null)[]) => dates.reduce<Date | null>((a, b) => (b && (!a || b > a) ? b : a), null);
const earliest = (dates: (Date | null)[]) => dates.reduce<Date | null>((a, b) => (b && (!a || b < a) ? b : a), null);
const daysSince = (asOf: Date, since: Date | null) => (since ? Math.max(0, Math.floor((asOf.getTime() - since.getTime()) / DAY_MS)) : 0);

/** Request counts and last use per version, from its usage rows; newest version first. */
export function usageOf(model: string, asOf: Date, versions: VersionUsage[], unusedThresholdDays: number): ModelUsage {
  const lastUsedAt = latest(versions.map((v) => v.lastUsedAt));
  const unusedForDays = daysSince(asOf, lastUsedAt ?? earliest(versions.map((v) => v.registeredAt)));
  return {
    model, asOf, lastUsedAt, unusedForDays, unusedThresholdDays,
    requests: versions.reduce((n, v) => n + v.requests, 0),
    flagged: unusedForDays > unusedThresholdDays,
    versions: versions
      .map((v) => ({ ...v, unusedForDays: daysSince(asOf, v.lastUsedAt ?? v.registeredAt) }))
      .sort((a, b) => Number(b.modelVersion) - Number(a.modelVersion) || b.modelVersion.localeCompare(a.modelVersion)),
  };
}

/** GET /v1/models/{name}/usage: is anyone still using this model? */
export async function modelUsage(reader: UsageReader, request: { modelName: string; unusedThresholdDays: number }): Promise<ModelUsage> {
  const { asOf, versions } = await reader.usage(request.modelName);
  if (versions.length === 0) throw new VigilError('VIGIL_NOT_FOUND', `Model ${request.modelName} has no registered version and no prediction`);
  return usageOf(request.modelName, asOf, versions, request.unusedThresholdDays);
}

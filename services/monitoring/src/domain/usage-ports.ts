/** What the usage report (which models still serve anyone) needs from the outside world. */

export interface VersionUsage {
  modelVersion: string;
  /** Predictions monitoring recorded for the version. */
  requests: number;
  lastUsedAt: Date | null;
  /** When training registered the version; null for a version only predictions name. */
  registeredAt: Date | null;
}

export interface UsageReader {
  /** Every version of the model that has predictions or is registered, and the database's clock. */
  usage(modelName: string): Promise<{ asOf: Date; versions: VersionUsage[] }>;
}

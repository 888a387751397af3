/** What drift measurement (PSI against training's reference distributions) needs from the outside world. */
import type { ReferenceProfile } from '@vigil/common';

/** A model version with the reference distributions training stored in its config. */
export interface VersionReference {
  modelName: string;
  modelVersion: string;
  reference: ReferenceProfile;
}

/** One live prediction, reduced to what drift compares. */
export interface LivePrediction {
  createdAt: Date;
  /** The values of the reference's features, in the reference's order (null where missing). */
  values: unknown[];
  /** output.probability as inference stored it. */
  probability: number | null;
  /** output.label, for models whose probability is that of the label they answered (xray-type). */
  label: string | null;
}

export interface RecentQuery {
  modelName: string;
  modelVersion: string;
  windowMs: number;
  /** Feature names to read: input.stats.<name> (image models), else input.<name> (churn rows). */
  features: string[];
  /** Newest rows at most. */
  cap: number;
}

export interface DriftReader {
  /** Every version with a stored reference, of one model when given. */
  references(modelName?: string): Promise<VersionReference[]>;
  /** The newest `cap` predictions of a version made in the window ending at `asOf` (the database's clock), newest first. */
  recent(query: RecentQuery): Promise<{ asOf: Date; rows: LivePrediction[] }>;
  /** The version that made the model's newest prediction, or null if it has made none. */
  latestVersion(modelName: string): Promise<string | null>;
}

export interface FeatureDrift {
  feature: string;
  /** Null without live predictions. */
  psi: number | null;
}

export interface Drift {
  /** Live predictions compared (the newest, at most the cap). */
  n: number;
  /** Whether the window held more predictions than the cap. */
  capped: boolean;
  /** PSI of the positive-class probability. */
  score: number | null;
  features: FeatureDrift[];
}

export interface VersionDrift extends Drift {
  modelName: string;
  modelVersion: string;
}

/** Where computed drift goes (Prometheus gauges): every window's versions at once, replacing what was there. */
export interface DriftObserver {
  publish(results: { window: string; versions: VersionDrift[] }[]): void;
}

/** What the training domain needs from the outside world; adapters implement these. */
import type { ChurnRow } from '@vigil/common';

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed';

export interface Lineage {
  datasetId: string;
  datasetSha256: string;
  codeCommit: string;
  seed: number;
  modelSha256?: string;
}

export interface TrainingJob {
  id: string;
  pipeline: string;
  datasetId: string;
  status: JobStatus;
  progress: number;
  attempts: number;
  error: string | null;
  metrics: Record<string, unknown> | null;
  lineage: Lineage | null;
  modelName: string | null;
  modelVersion: number | null;
  requestedBy: string;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface ModelVersion {
  name: string;
  version: number;
  sha256: string;
  jobId: string;
  datasetId: string;
  datasetSha256: string;
  metrics: Record<string, unknown>;
  /** config.json of the version: inputs, outputs, threshold, the model spec for explanations. */
  config: ModelConfig;
  createdAt: Date;
}

export interface ModelConfig {
  name: string;
  pipeline: string;
  threshold: number;
  inputs: { name: string; datatype: string; shape: number[] }[];
  outputs: { name: string; datatype: string; shape: number[] }[];
  /** Pipeline-specific model description (for churn: the ChurnModelSpec). */
  spec: unknown;
  /** Customer ids of the holdout split, so promotion can compare versions on the same rows. */
  holdout: { datasetId: string; ids: string[] };
}

export interface Deployment {
  id: number;
  name: string;
  version: number;
  previousVersion: number | null;
  action: 'promote' | 'rollback';
  actor: string;
  reason: string | null;
  forced: boolean;
  deployedAt: Date;
}

export interface TrainedModel {
  onnx: Uint8Array;
  sha256: string;
  metrics: Record<string, unknown>;
  config: Omit<ModelConfig, 'name'>;
  seed: number;
}

export interface JobStore {
  /** Saves a queued job with its TrainingRequested event. */
  create(job: TrainingJob): Promise<void>;
  get(id: string): Promise<TrainingJob | null>;
  /** Takes the oldest queued job and marks it running (one taker per job). */
  claimNext(): Promise<TrainingJob | null>;
  heartbeat(id: string, progress: number): Promise<void>;
  /** Running jobs with a stale heartbeat go back to the queue, or fail after maxAttempts. */
  recoverStale(staleAfterMs: number, maxAttempts: number): Promise<{ requeued: string[]; failed: string[] }>;
  /** Marks a job failed with its reason and emits TrainingCompleted(failed). */
  fail(id: string, error: string): Promise<void>;
  /**
   * Registers the trained model as the next version of `name`, stores its artifact, marks the job
   * succeeded and emits TrainingCompleted — one transaction.
   */
  succeed(job: TrainingJob, name: string, model: TrainedModel, lineage: Lineage): Promise<ModelVersion>;
}

export interface DatasetReader {
  /** Whether a churn dataset with this id exists (cheap: no rows read). */
  exists(datasetId: string): Promise<boolean>;
  /** The rows of a churn dataset with its content hash, or null if there is no such dataset. */
  churnDataset(datasetId: string): Promise<{ sha256: string; rows: ChurnRow[] } | null>;
}

export interface Trainer {
  /** Trains off the event loop; reports progress in [0, 1]. */
  train(pipeline: string, rows: ChurnRow[], seed: number, onProgress: (p: number) => void): Promise<TrainedModel>;
}

export interface RegistryStore {
  models(): Promise<{ name: string; latestVersion: number; liveVersion: number | null }[]>;
  versions(name: string): Promise<ModelVersion[]>;
  version(name: string, version: number): Promise<ModelVersion | null>;
  history(name: string): Promise<Deployment[]>;
  live(name: string): Promise<Deployment | null>;
  /**
   * Appends a deployment and its ModelDeployed event in one transaction; fails with a conflict
   * if the live version is no longer `expectedLive` (someone deployed in between).
   */
  deploy(d: Omit<Deployment, 'id' | 'deployedAt'>, expectedLive: number | null, modelSha256: string): Promise<Deployment>;
}

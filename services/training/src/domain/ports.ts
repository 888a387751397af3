/** What the training domain needs from the outside world; adapters implement these. */
import type { ChurnRow, ClassLabel, ModelTask, ReferenceProfile } from '@vigil/common';

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
  /** Every model version the job produced (the xray pipeline produces two). */
  models: { name: string; version: number; sha256: string }[];
  requestedBy: string;
  /** 'api' for a person's request, else the reason of the training-requested event (e.g. policy_breach:recall). */
  reason: string;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface ModelVersion {
  name: string;
  version: number;
  sha256: string;
  /** Null for a registered version. */
  jobId: string | null;
  datasetId: string | null;
  datasetSha256: string | null;
  metrics: Record<string, unknown>;
  /** config.json of the version: inputs, outputs, threshold, the model spec for explanations. */
  config: ModelConfig;
  createdAt: Date;
  /** Why the job that trained it ran ('api' or a retraining reason); set by registry reads. */
  jobReason?: string;
  /** Whether it was ever live; set by registry reads. */
  everLive?: boolean;
  /** Registered from outside (no job): who uploaded it, and the lineage they gave. */
  source?: 'registered';
  lineage?: Record<string, unknown>;
  registeredBy?: string;
}

export interface ModelConfig {
  name: string;
  pipeline: string;
  threshold: number;
  inputs: { name: string; datatype: string; shape: number[] }[];
  outputs: { name: string; datatype: string; shape: number[] }[];
  /** Pipeline-specific model description (for churn: the ChurnModelSpec). */
  spec: unknown;
  /**
   * Ids of the holdout split (customer ids for churn, image sha256s for xray), so promotion can
   * compare versions on the same rows.
   */
  holdout: { datasetId: string; ids: string[] };
  /** Image pipelines: the shared preprocessing, recorded so serving cannot drift from training. */
  preprocess?: unknown;
  /** Image pipelines: the frozen feature extractor stored beside the head (`backbone.onnx`). */
  backbone?: { file: string; sha256: string; input: string; output: string; embeddingSize: number };
  /** Distribution of every input feature (image statistics for image models) and of the score at training time, for drift (PSI). */
  reference?: ReferenceProfile;
  /** Scores within [low, high] are "low confidence" and raise an alert. */
  confidenceBand?: { low: number; high: number };
  /** Class names for the positive and negative output (xray-type: bacterial / viral). */
  labels?: { positive: string; negative: string };
  /** What the version does (see @vigil/common tasks); outside models always say. */
  task?: ModelTask;
  classes?: ClassLabel[];
  positiveClass?: ClassLabel;
  /** Which graph output is the label, the probabilities or the value. */
  outputRoles?: { label?: string; probabilities?: string; value?: string };
  /** 'registered' for a version uploaded from outside; absent for pipeline versions. */
  source?: 'registered';
  /** Registered with a holdout: the file in the version directory (feature columns and label). */
  holdoutFile?: string;
}

export interface Deployment {
  id: number;
  name: string;
  /** The version now live; for a decommission, the version that served until then (none serves now). */
  version: number;
  previousVersion: number | null;
  action: 'promote' | 'rollback' | 'decommission';
  actor: string;
  reason: string | null;
  forced: boolean;
  deployedAt: Date;
}

export interface TrainedModel {
  /** Registry name the model is registered under (churn, xray-pneumonia, xray-type). */
  name: string;
  onnx: Uint8Array;
  /** Further files of the version directory, e.g. backbone.onnx. */
  files?: Record<string, Uint8Array>;
  sha256: string;
  metrics: Record<string, unknown>;
  config: Omit<ModelConfig, 'name'>;
  seed: number;
}

export interface JobStore {
  /**
   * Saves a queued job, with its TrainingRequested event unless `announce` is false (a job created
   * from a training-requested event was announced already).
   */
  create(job: TrainingJob, options?: { announce?: boolean }): Promise<void>;
  get(id: string): Promise<TrainingJob | null>;
  /** Takes the oldest queued job and marks it running (one taker per job). */
  claimNext(): Promise<TrainingJob | null>;
  heartbeat(id: string, progress: number): Promise<void>;
  /** Running jobs with a stale heartbeat go back to the queue, or fail after maxAttempts. */
  recoverStale(staleAfterMs: number, maxAttempts: number): Promise<{ requeued: string[]; failed: string[] }>;
  /** Marks a job failed with its reason and emits TrainingCompleted(failed). */
  fail(id: string, error: string): Promise<void>;
  /**
   * Registers each trained model as the next version of its name, stores the artifacts, marks the
   * job succeeded and emits TrainingCompleted — one transaction.
   */
  succeed(job: TrainingJob, models: TrainedModel[], lineage: Lineage): Promise<ModelVersion[]>;
}

/** One image of an X-ray dataset: its manifest row and the sha256 under which the blob store keeps it. */
export interface XrayImageRef {
  path: string;
  label: 'NORMAL' | 'PNEUMONIA';
  subtype: 'normal' | 'bacterial' | 'viral';
  patientId: string;
  sha256: string;
}

/** What a pipeline trains on. */
export type TrainingData =
  | { kind: 'churn'; sha256: string; rows: ChurnRow[] }
  | { kind: 'xray'; sha256: string; images: XrayImageRef[] };

export interface DatasetReader {
  /** Whether a dataset of this kind with this id exists (cheap: no rows read). */
  exists(datasetId: string, kind: TrainingData['kind']): Promise<boolean>;
  /** The rows of a churn dataset with its content hash, or null if there is no such dataset. */
  churnDataset(datasetId: string): Promise<{ sha256: string; rows: ChurnRow[] } | null>;
  /** The most recent dataset of a kind (what retraining trains on), or null. */
  latest(kind: TrainingData['kind']): Promise<string | null>;
  /** The manifest of an X-ray dataset with its content hash, or null. */
  xrayDataset(datasetId: string): Promise<{ sha256: string; images: XrayImageRef[] } | null>;
}

export interface Trainer {
  /** Trains off the event loop; reports progress in [0, 1]. */
  train(pipeline: string, data: TrainingData, seed: number, onProgress: (p: number) => void): Promise<TrainedModel[]>;
}

export interface ModelSettings {
  name: string;
  /** Versions trained by retraining go live on their own (through the promotion gate). */
  autoPromote: boolean;
  updatedBy: string | null;
  updatedAt: Date | null;
}

export interface RegistryStore {
  settings(name: string): Promise<ModelSettings>;
  saveSettings(name: string, autoPromote: boolean, actor: string): Promise<ModelSettings>;
  models(): Promise<{ name: string; latestVersion: number; liveVersion: number | null }[]>;
  versions(name: string): Promise<ModelVersion[]>;
  version(name: string, version: number): Promise<ModelVersion | null>;
  history(name: string): Promise<Deployment[]>;
  /** The deployment that made the live version live; null when none is live (never deployed, or decommissioned). */
  live(name: string): Promise<Deployment | null>;
  /**
   * Appends a deployment and its ModelDeployed event in one transaction; fails with a conflict
   * if the live version is no longer `expectedLive` (someone deployed in between). A decommission
   * has no artifact: `modelSha256` is empty.
   */
  deploy(d: Omit<Deployment, 'id' | 'deployedAt'>, expectedLive: number | null, modelSha256: string): Promise<Deployment>;
}

/** One graph input or output as onnxruntime reports it; -1 for a dimension that varies (the batch). */
export interface TensorSignature {
  name: string;
  /** Vigil's (OIP V2) datatype names: FP32, FP64, INT64, INT32, BYTES, BOOL. */
  datatype: string;
  shape: number[];
}

/** An uploaded ONNX file as it will be served. */
export interface InspectedModel {
  uploadedSha256: string;
  /** The bytes served: the upload, or the upload with its ZipMap outputs made tensors. */
  served: Uint8Array;
  servedSha256: string;
  inputs: TensorSignature[];
  outputs: TensorSignature[];
  /** ZipMap outputs rewritten, with the class labels ZipMap named. */
  zipMaps: { output: string; classes: (string | number)[] }[];
}

export type Feeds = { name: string; datatype: string; shape: number[]; data: unknown[] }[];
export type Outputs = Record<string, { shape: number[]; data: unknown[] }>;

/** An open onnxruntime session: run it as often as needed, then release it. */
export interface ModelSession {
  /** Each output's shape and values, or 422 naming what failed. */
  run(feeds: Feeds): Promise<Outputs>;
  release(): Promise<void>;
}

/** Loads outside ONNX models the way inference will, before anything of them is stored. */
export interface ModelInspector {
  /**
   * Refuses (422, naming the problem) what is not an ONNX model onnxruntime can run; the model
   * comes back with its session open, so the checks after it (a test run, the reference, the
   * holdout) load a file of up to 512 MiB once.
   */
  inspect(onnx: Uint8Array): Promise<InspectedModel & ModelSession>;
  /** A session on a stored version's served bytes (the promotion gate). */
  open(served: Uint8Array): Promise<ModelSession>;
}

/** A version registered from outside: no training job, lineage as the data scientist gave it. */
export interface Registration {
  name: string;
  uploadedSha256: string;
  /** SHA-256 of the canonical config, so the same bytes and config register once. */
  configSha256: string;
  served: Uint8Array;
  servedSha256: string;
  config: Omit<ModelConfig, 'name'>;
  lineage: Record<string, unknown>;
  registeredBy: string;
  /** Stored beside model.onnx (holdout.csv). */
  files?: Record<string, Uint8Array>;
  /** The holdout score, when one came with the upload. */
  metrics?: Record<string, unknown>;
}

/** Reads a file of a stored version (model.onnx, holdout.csv) from the model repository. */
export interface VersionFiles {
  read(name: string, version: number, file: string): Promise<Uint8Array>;
}

export interface RegistrationStore {
  /** Stores the artifact and the version row (one transaction); an identical earlier registration is returned instead. */
  register(r: Registration): Promise<{ version: ModelVersion; created: boolean }>;
}

/** Scores images with stored image-model versions, for the promotion gate (one score list per version). */
export interface ImageHoldoutScorer {
  score(versions: { name: string; version: number }[], imageSha256s: string[]): Promise<number[][]>;
}

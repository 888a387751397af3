/** What the inference domain needs from the outside world; adapters implement these. */
import type { ClassLabel, ModelTask } from '@vigil/common';

/** The one internal tensor type; OIP V2 and the domain REST endpoints are codecs onto it. */
export type Datatype = 'BYTES' | 'FP32' | 'FP64' | 'INT64' | 'INT32' | 'BOOL';
export interface Tensor {
  name: string;
  datatype: Datatype;
  shape: number[];
  data: (string | number | boolean | null)[];
}

export interface TensorSpec {
  name: string;
  datatype: Datatype;
  shape: number[];
}

/** config.json of a model version (see training's ModelConfig). */
export interface ModelConfig {
  name: string;
  pipeline: string;
  threshold: number;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  spec: unknown;
  /** Image models: the preprocessing the version was trained with (see @vigil/common imaging). */
  preprocess?: unknown;
  /** Image models: the frozen feature extractor stored beside the head. */
  backbone?: { file: string; sha256: string; input: string; output: string; embeddingSize: number };
  /** Scores within [low, high] are low confidence. */
  confidenceBand?: { low: number; high: number };
  labels?: { positive: string; negative: string };
  /** What the version does (binary / multiclass / regression, see @vigil/common tasks); outside models always say. */
  task?: ModelTask;
  classes?: ClassLabel[];
  positiveClass?: ClassLabel;
  /** Which graph output is the label, the probabilities or the value. */
  outputRoles?: { label?: string; probabilities?: string; value?: string };
  /** 'registered' for a version uploaded from outside. */
  source?: 'registered';
}

export interface ModelRef {
  name: string;
  version: number;
  sha256: string;
}

/**
 * Where a call to a model spent its time: waiting for its dynamic batch to fill, and running. A
 * runtime that batches adds to the fields of the object passed in, so one object can sum calls.
 */
export interface ExecTimings {
  queueMs: number;
  computeMs: number;
}

/** A loaded, executable model version. */
export interface LoadedModel {
  ref: ModelRef;
  config: ModelConfig;
  /** The execution provider its session runs on (onnxruntime: cuda, webgpu, cpu), when the runtime says. */
  executionProvider?: string;
  execute(inputs: Tensor[], timings?: ExecTimings): Promise<Tensor[]>;
  /**
   * Image models: runs the backbone on n preprocessed images. Versions whose backbones have the
   * same sha256 share one loaded session, so it is held in memory (and can be run) once.
   */
  embed?(images: Float32Array, n: number, timings?: ExecTimings): Promise<Float32Array>;
}

/** Backend shape after Triton's: load / ready / execute / unload. */
export interface ModelRuntime {
  /** The execution provider new sessions are created on, when the runtime says. */
  readonly executionProvider?: string;
  load(ref: ModelRef, artifact: Uint8Array, config: ModelConfig, files?: Record<string, Uint8Array>): Promise<LoadedModel>;
  unload(model: LoadedModel): Promise<void>;
}

export interface ModelSource {
  /** Live version of every model, as the registry says now. */
  liveVersions(): Promise<ModelRef[]>;
  /** A stored version with its sha256, and whether its model is decommissioned; null when the registry has no such version. */
  version(name: string, version: number): Promise<{ ref: ModelRef; decommissioned: boolean } | null>;
  /** The artifact, config and further files (backbone.onnx) of a version; verifies every sha256. */
  artifact(ref: ModelRef): Promise<{ onnx: Uint8Array; config: ModelConfig; files: Record<string, Uint8Array> }>;
}

export interface PredictionRecord {
  id: string;
  createdAt: Date;
  requestId: string;
  clientName: string;
  model: ModelRef;
  entityId: string | null;
  inputSha256: string;
  /** SHA-256 of the image bytes received, for image models. */
  imageSha256?: string | null;
  input: Record<string, unknown>;
  output: Record<string, unknown>;
  latencyMs: number;
}

/** An alert raised by a prediction; goes out as an alert-raised event with the prediction. */
export interface PredictionAlert {
  alertId: string;
  kind: string;
  severity: 'info' | 'warning' | 'critical';
  model: ModelRef;
  predictionId: string;
  message: string;
}

export interface PredictionStore {
  /** Resolves once the records, their prediction-made events and any alert events are committed. */
  save(records: PredictionRecord[], alerts?: PredictionAlert[]): Promise<void>;
  get(id: string): Promise<PredictionRecord | null>;
  /** The first committed prediction of `modelName` for an entity (e.g. an X-ray study id), or null. */
  findByEntity(entityId: string, modelName: string): Promise<PredictionRecord | null>;
}

export interface CustomerRecords {
  /** A customer's current feature record (the latest dataset's), or null. */
  get(customerId: string): Promise<Record<string, unknown> | null>;
}

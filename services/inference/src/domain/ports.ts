/** What the inference domain needs from the outside world; adapters implement these. */

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
}

export interface ModelRef {
  name: string;
  version: number;
  sha256: string;
}

/** A loaded, executable model version. */
export interface LoadedModel {
  ref: ModelRef;
  config: ModelConfig;
  execute(inputs: Tensor[]): Promise<Tensor[]>;
}

/** Backend shape after Triton's: load / ready / execute / unload. */
export interface ModelRuntime {
  load(ref: ModelRef, artifact: Uint8Array, config: ModelConfig): Promise<LoadedModel>;
  unload(model: LoadedModel): Promise<void>;
}

export interface ModelSource {
  /** Live version of every model, as the registry says now. */
  liveVersions(): Promise<ModelRef[]>;
  /** The artifact and config of a version; verifies the artifact's sha256. */
  artifact(ref: ModelRef): Promise<{ onnx: Uint8Array; config: ModelConfig }>;
}

export interface PredictionRecord {
  id: string;
  createdAt: Date;
  requestId: string;
  clientName: string;
  model: ModelRef;
  entityId: string | null;
  inputSha256: string;
  input: Record<string, unknown>;
  output: Record<string, unknown>;
  latencyMs: number;
}

export interface PredictionStore {
  /** Resolves once the records and their prediction-made events are committed. */
  save(records: PredictionRecord[]): Promise<void>;
  get(id: string): Promise<PredictionRecord | null>;
}

export interface CustomerRecords {
  /** A customer's current feature record (the latest dataset's), or null. */
  get(customerId: string): Promise<Record<string, unknown> | null>;
}

import { createHash } from 'node:crypto';
import { isClassifier, VigilError, type ReferenceProfile } from '@vigil/common';
import type { InspectedModel, ModelInspector, ModelVersion, RegistrationStore, TensorSignature } from './ports';
import { parseRegistrationConfig, resolveOutputs, type RegistrationConfig } from './registration-config';
import { evaluateOnHoldout, HOLDOUT_FILE, type HoldoutScore } from './registration-holdout';
import { referenceProfile } from './registration-reference';

export interface RegisterDeps {
  inspector: ModelInspector;
  store: RegistrationStore;
}

export interface RegisterInput {
  name: string;
  onnx: Uint8Array;
  /** The parsed JSON of the `config` part. */
  config: unknown;
  /** CSV of training inputs (one column per input), for drift. */
  reference?: string;
  /** Labelled CSV (input columns and `label`), for the promotion gate. */
  holdout?: string;
  actor: string;
}

export interface RegisterResult {
  version: ModelVersion;
  created: boolean;
  signature: { inputs: TensorSignature[]; outputs: TensorSignature[] };
}

const mismatch = (reason: string, message: string, details: Record<string, unknown> = {}) =>
  new VigilError('VIGIL_UNPROCESSABLE', message, { details: { reason, ...details } });

/** JSON with sorted keys: the same config, however its keys were ordered, hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function checkInputs(config: RegistrationConfig, inputs: TensorSignature[]): void {
  for (const declared of config.inputs ?? []) {
    const graph = inputs.find((i) => i.name === declared.name);
    if (!graph) throw mismatch('unknown-input', `config.inputs names ${declared.name}, which the graph does not take (it takes ${inputs.map((i) => i.name).join(', ')})`);
    if (declared.datatype && declared.datatype !== graph.datatype) {
      throw mismatch('input-datatype', `Input ${declared.name} is ${graph.datatype} in the graph, not ${declared.datatype} as config.inputs says`, { input: declared.name });
    }
  }
}

function checkOutputs(config: RegistrationConfig, model: InspectedModel, roles: ReturnType<typeof resolveOutputs>): void {
  const spec = (name: string) => model.outputs.find((o) => o.name === name)!;
  const numeric = (t: TensorSignature) => t.datatype === 'FP32' || t.datatype === 'FP64';
  if (!isClassifier(config.task)) {
    if (!numeric(spec(roles.value!))) throw mismatch('output-datatype', `Output ${roles.value} is ${spec(roles.value!).datatype}; a regression value must be a float tensor`);
    return;
  }
  const probabilities = spec(roles.probabilities!);
  if (!numeric(probabilities) || probabilities.shape.length !== 2) {
    throw mismatch('output-datatype', `Output ${probabilities.name} must be a float tensor [N, classes], not ${probabilities.datatype} [${probabilities.shape}]`);
  }
  const columns = probabilities.shape[1];
  const classes = config.classes!;
  if (columns !== -1 && columns !== classes.length) {
    throw mismatch('class-count', `Output ${probabilities.name} has ${columns} probability columns but config.classes lists ${classes.length} classes`, { columns, classes: classes.length });
  }
  const zip = model.zipMaps.find((z) => z.output === probabilities.name);
  if (zip && zip.classes.length && zip.classes.map(String).join('\u0000') !== classes.map(String).join('\u0000')) {
    throw mismatch('class-labels', `The model's ZipMap names the classes ${JSON.stringify(zip.classes)}, config.classes says ${JSON.stringify(classes)}`, {
      modelClasses: zip.classes,
    });
  }
}

/** One row of typed zeros ('' for strings): enough for onnxruntime to execute every node once. */
function zeroFeeds(inputs: TensorSignature[]) {
  return inputs.map((i) => {
    const shape = i.shape.map((d) => (d === -1 ? 1 : d));
    const n = shape.reduce((a, b) => a * b, 1);
    return { name: i.name, datatype: i.datatype, shape, data: Array.from({ length: n }, () => (i.datatype === 'BYTES' ? '' : 0)) };
  });
}

/**
 * POST /v1/models/{name}/versions: an ONNX model built elsewhere becomes a version like any
 * trained one. Everything is checked before anything is stored — the config, the graph against
 * the config, one run on typed zeros — and the same bytes with the same config register once.
 */
export async function registerModel(input: RegisterInput, deps: RegisterDeps): Promise<RegisterResult> {
  const config = parseRegistrationConfig(input.config);
  const model = await deps.inspector.inspect(input.onnx);
  let roles: ReturnType<typeof resolveOutputs>;
  let reference: ReferenceProfile | undefined;
  let holdout: HoldoutScore | undefined;
  try {
    checkInputs(config, model.inputs);
    roles = resolveOutputs(config, model.outputs);
    checkOutputs(config, model, roles);
    const ran = await model.run(zeroFeeds(model.inputs));
    if (isClassifier(config.task)) {
      const probs = ran[roles.probabilities!];
      if (probs.shape[probs.shape.length - 1] !== config.classes!.length) {
        throw mismatch('class-count', `Output ${roles.probabilities} gave ${probs.shape.at(-1)} probability columns on a test row; config.classes lists ${config.classes!.length}`);
      }
    }
    const taskConfig = { ...config, positiveClass: config.positiveClass ?? config.classes?.[1], outputRoles: roles };
    if (input.reference !== undefined) reference = await referenceProfile(input.reference, model.inputs, taskConfig, model);
    if (input.holdout !== undefined) holdout = await evaluateOnHoldout(input.holdout, model.inputs, taskConfig, model);
  } finally {
    await model.release();
  }
  const signature = { inputs: model.inputs, outputs: model.outputs };
  const { version, created } = await deps.store.register({
    name: input.name,
    uploadedSha256: model.uploadedSha256,
    configSha256: createHash('sha256').update(canonical(input.config)).digest('hex'),
    served: model.served,
    servedSha256: model.servedSha256,
    config: {
      pipeline: '',
      source: 'registered',
      task: config.task,
      ...(config.classes ? { classes: config.classes } : {}),
      ...(config.task === 'binary-classification' ? { positiveClass: config.positiveClass ?? config.classes![1] } : {}),
      threshold: config.threshold ?? 0.5,
      ...(config.confidenceBand ? { confidenceBand: config.confidenceBand } : {}),
      outputRoles: roles,
      inputs: model.inputs,
      outputs: model.outputs,
      spec: null,
      holdout: { datasetId: '', ids: [] },
      ...(reference ? { reference } : {}),
      ...(holdout ? { holdoutFile: HOLDOUT_FILE } : {}),
    },
    ...(holdout ? { files: { [HOLDOUT_FILE]: Buffer.from(input.holdout!) }, metrics: { holdout } } : {}),
    lineage: {
      ...config.lineage,
      uploadedSha256: model.uploadedSha256,
      servedSha256: model.servedSha256,
      ...(model.zipMaps.length ? { rewritten: model.zipMaps.map((z) => `ZipMap ${z.output} served as a float tensor [N, ${z.classes.length}]`) } : {}),
    },
    registeredBy: input.actor,
  });
  return { version, created, signature };
}

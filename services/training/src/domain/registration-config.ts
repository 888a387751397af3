import { isClassifier, isModelTask, MODEL_TASKS, VigilError, type ClassLabel, type ModelTask, type TaskConfig } from '@vigil/common';
import type { TensorSignature } from './ports';

/** The `config` part of a registration, as the data scientist wrote it, checked. */
export interface RegistrationConfig extends Omit<TaskConfig, 'classes' | 'outputRoles'> {
  classes?: ClassLabel[];
  /** As uploaded: which graph output is the label, the probabilities or the value. */
  outputs?: { label?: string; probabilities?: string; value?: string };
  inputs?: { name: string; datatype?: string }[];
  lineage: { datasetSha256?: string; datasetUri?: string; codeCommit?: string; trainingRunUri?: string; author?: string; notes?: string };
}

const LINEAGE_FIELDS = ['datasetSha256', 'datasetUri', 'codeCommit', 'trainingRunUri', 'author', 'notes'] as const;
const KNOWN = new Set(['task', 'classes', 'positiveClass', 'threshold', 'confidenceBand', 'outputs', 'inputs', 'lineage']);

const refuse = (pointer: string, message: string): never => {
  throw new VigilError('VIGIL_UNPROCESSABLE', `config${pointer}: ${message}`, { details: { reason: 'invalid-config', pointer } });
};
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const probability = (v: unknown) => typeof v === 'number' && v >= 0 && v <= 1;

/** Checks the shape of the config alone (the graph is checked against it later). */
export function parseRegistrationConfig(raw: unknown): RegistrationConfig {
  if (!isObject(raw)) refuse('', 'must be a JSON object');
  const c = raw as Record<string, unknown>;
  const unknown = Object.keys(c).filter((k) => !KNOWN.has(k));
  if (unknown.length) refuse(`/${unknown[0]}`, `unknown field (known: ${[...KNOWN].join(', ')})`);
  if (!isModelTask(c.task)) refuse('/task', `must be one of ${MODEL_TASKS.join(', ')}`);
  const task = c.task as ModelTask;
  const config: RegistrationConfig = { task, lineage: {} };
  if (isClassifier(task)) {
    const classes = c.classes;
    if (!Array.isArray(classes) || classes.some((k) => !(typeof k === 'string' || (typeof k === 'number' && Number.isInteger(k))))) {
      refuse('/classes', 'a classifier needs its class labels (strings or integers) in the order of the probability columns');
    }
    const labels = classes as ClassLabel[];
    if (new Set(labels.map(String)).size !== labels.length) refuse('/classes', 'labels must be unique');
    if (task === 'binary-classification' && labels.length !== 2) refuse('/classes', `a binary classifier has 2 classes, not ${labels.length}`);
    if (task === 'multiclass-classification' && labels.length < 2) refuse('/classes', 'a multiclass classifier has at least 2 classes');
    config.classes = labels;
  } else if (c.classes !== undefined) refuse('/classes', 'a regression has no classes');
  if (c.positiveClass !== undefined) {
    if (task !== 'binary-classification') refuse('/positiveClass', 'only a binary classifier has a positive class');
    if (!config.classes!.some((k) => String(k) === String(c.positiveClass))) refuse('/positiveClass', 'must be one of the classes');
    config.positiveClass = config.classes!.find((k) => String(k) === String(c.positiveClass));
  }
  if (c.threshold !== undefined) {
    if (task !== 'binary-classification') refuse('/threshold', 'only a binary classifier has a threshold');
    if (!probability(c.threshold)) refuse('/threshold', 'must be a number in [0, 1]');
    config.threshold = c.threshold as number;
  }
  if (c.confidenceBand !== undefined) {
    const band = c.confidenceBand as Record<string, unknown>;
    if (task !== 'binary-classification' || !isObject(band) || !probability(band.low) || !probability(band.high) || (band.low as number) > (band.high as number)) {
      refuse('/confidenceBand', 'a binary classifier may have {low, high} with 0 ≤ low ≤ high ≤ 1');
    }
    config.confidenceBand = { low: band.low as number, high: band.high as number };
  }
  if (c.outputs !== undefined) {
    const o = c.outputs as Record<string, unknown>;
    if (!isObject(o) || Object.entries(o).some(([k, v]) => !['label', 'probabilities', 'value'].includes(k) || typeof v !== 'string')) {
      refuse('/outputs', 'maps label, probabilities or value to the name of a graph output');
    }
    config.outputs = o as RegistrationConfig['outputs'];
  }
  if (c.inputs !== undefined) {
    if (!Array.isArray(c.inputs) || c.inputs.some((i) => !isObject(i) || typeof i.name !== 'string')) refuse('/inputs', 'a list of {name, datatype}');
    config.inputs = c.inputs as RegistrationConfig['inputs'];
  }
  if (c.lineage !== undefined) {
    if (!isObject(c.lineage)) refuse('/lineage', 'must be an object');
    for (const [k, v] of Object.entries(c.lineage as Record<string, unknown>)) {
      if (!(LINEAGE_FIELDS as readonly string[]).includes(k)) refuse(`/lineage/${k}`, `unknown field (known: ${LINEAGE_FIELDS.join(', ')})`);
      if (typeof v !== 'string' || v.length > 2000) refuse(`/lineage/${k}`, 'must be a string of at most 2,000 characters');
    }
    config.lineage = c.lineage as RegistrationConfig['lineage'];
  }
  return config;
}

/** Output roles: as configured, or found in the layouts exporters write. */
export function resolveOutputs(config: RegistrationConfig, outputs: TensorSignature[]): { label?: string; probabilities?: string; value?: string } {
  const names = outputs.map((o) => o.name);
  const pick = (candidates: string[]) => candidates.find((n) => names.includes(n));
  if (config.outputs) {
    for (const [role, name] of Object.entries(config.outputs)) {
      if (!names.includes(name!)) refuse(`/outputs/${role}`, `the graph has no output ${name} (it has ${names.join(', ')})`);
    }
    return config.outputs;
  }
  if (config.task === 'regression') {
    const floats = outputs.filter((o) => o.datatype === 'FP32' || o.datatype === 'FP64');
    const value = pick(['variable', 'value', 'predictions']) ?? (floats.length === 1 ? floats[0].name : undefined);
    if (!value) refuse('/outputs', `say which output is the value (the graph has ${names.join(', ')})`);
    return { value };
  }
  const probabilities = pick(['output_probability', 'probabilities', 'probability']);
  const label = pick(['output_label', 'label']);
  if (!probabilities) refuse('/outputs', `no probability output found (looked for output_probability, probabilities; the graph has ${names.join(', ')}); name it in outputs.probabilities`);
  return { probabilities, ...(label ? { label } : {}) };
}

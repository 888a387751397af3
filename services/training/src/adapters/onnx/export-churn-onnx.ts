/**
 * Exports a ChurnModelSpec as one self-contained ONNX model that takes the RAW columns and does the
 * whole encoding in the graph, so a serving runtime needs nothing but onnxruntime:
 *
 *   categorical  string [N,1] --Equal(categories)--> bool [N,K] --Cast--> one-hot (unknown: zeros)
 *   numeric      float  [N,1] --IsNaN/Where(median)--> imputed --Cast(double)--> value
 *                               (and, where the encoding asks, Max(0)/Add(1)/Log --> ln(1 + value))
 *   Concat -> encoded [N,W] double
 *   logistic: (encoded - shift) / scale  MatMul weights  Add bias -> logit
 *   gbdt:     ai.onnx.ml TreeEnsembleRegressor (double input, BRANCH_LEQ)  -> logit
 *   ensemble: both of the above, each over its own encoding; w * logistic + (1 - w) * gbdt -> logit
 *   Sigmoid -> probability float [N,1]; logit float [N,1] as a second output.
 *
 * Everything after the float inputs runs in double, so the graph agrees with `predictProbability`
 * in @vigil/common far inside 1e-5: imputation uses the float32 median both sides, tree thresholds
 * and leaves are float32 values both sides, and only the final logit is rounded to float32.
 */
import { createHash } from 'node:crypto';
import {
  CHURN_FEATURES,
  VigilError,
  checkChurnModelSpec,
  encodedWidth,
  readCategorical,
  readNumeric,
  type ChurnEncoding,
  type ChurnModelSpec,
  type ChurnRow,
  type GbdtChurnModel,
  type LogisticChurnModel,
} from '@vigil/common';
import { encodeOnnxModel, OnnxDataType, type OnnxAttribute, type OnnxNode, type OnnxTensor } from './onnx-proto';

export const CHURN_ONNX_OUTPUTS = { probability: 'probability', logit: 'logit' } as const;

/** ai.onnx 19 is the first opset whose Equal accepts strings; ai.onnx.ml 3 has TreeEnsembleRegressor. */
const OPSETS = [
  { domain: '', version: 19 },
  { domain: 'ai.onnx.ml', version: 3 },
];
const IR_VERSION = 9; // the IR that introduced opset 19

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Fingerprint of a spec (its JSON), recorded in the ONNX metadata to tie the two together. */
export function churnSpecSha256(spec: ChurnModelSpec): string {
  return sha256Hex(JSON.stringify(spec));
}

const cast = (name: string, input: string, output: string, to: keyof typeof OnnxDataType): OnnxNode => ({
  opType: 'Cast',
  name,
  inputs: [input],
  outputs: [output],
  attributes: [{ name: 'to', kind: 'int', value: OnnxDataType[to] }],
});

function treeEnsemble(spec: GbdtChurnModel, name: string, input: string, output: string): OnnxNode {
  // A spec with no trees still needs one tree for the operator: a single leaf worth 0.
  const trees = spec.trees.length > 0 ? spec.trees : [[{ feature: -1, threshold: 0, left: -1, right: -1, value: 0, cover: 1 }]];
  const nodes = { treeIds: [] as number[], nodeIds: [] as number[], features: [] as number[], values: [] as number[] };
  const modes: string[] = [];
  const trueIds: number[] = [];
  const falseIds: number[] = [];
  const targets = { treeIds: [] as number[], nodeIds: [] as number[], ids: [] as number[], weights: [] as number[] };
  trees.forEach((tree, t) => {
    tree.forEach((n, i) => {
      const isLeaf = n.feature < 0;
      nodes.treeIds.push(t);
      nodes.nodeIds.push(i);
      nodes.features.push(isLeaf ? 0 : n.feature);
      nodes.values.push(isLeaf ? 0 : n.threshold);
      modes.push(isLeaf ? 'LEAF' : 'BRANCH_LEQ'); // x <= threshold goes to the true (left) child
      trueIds.push(isLeaf ? 0 : n.left);
      falseIds.push(isLeaf ? 0 : n.right);
      if (isLeaf) {
        targets.treeIds.push(t);
        targets.nodeIds.push(i);
        targets.ids.push(0);
        targets.weights.push(n.value);
      }
    });
  });
  const attributes: OnnxAttribute[] = [
    { name: 'n_targets', kind: 'int', value: 1 },
    { name: 'nodes_treeids', kind: 'ints', value: nodes.treeIds },
    { name: 'nodes_nodeids', kind: 'ints', value: nodes.nodeIds },
    { name: 'nodes_featureids', kind: 'ints', value: nodes.features },
    { name: 'nodes_values', kind: 'floats', value: nodes.values },
    { name: 'nodes_modes', kind: 'strings', value: modes },
    { name: 'nodes_truenodeids', kind: 'ints', value: trueIds },
    { name: 'nodes_falsenodeids', kind: 'ints', value: falseIds },
    { name: 'target_treeids', kind: 'ints', value: targets.treeIds },
    { name: 'target_nodeids', kind: 'ints', value: targets.nodeIds },
    { name: 'target_ids', kind: 'ints', value: targets.ids },
    { name: 'target_weights', kind: 'floats', value: targets.weights },
    { name: 'base_values', kind: 'floats', value: [spec.baseScore] },
    { name: 'aggregate_function', kind: 'string', value: 'SUM' },
    { name: 'post_transform', kind: 'string', value: 'NONE' },
  ];
  return { opType: 'TreeEnsembleRegressor', domain: 'ai.onnx.ml', name, inputs: [input], outputs: [output], attributes };
}

interface GraphParts {
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
}

/** A double scalar initializer, added once however many heads use it. */
function constant(g: GraphParts, name: string, value: number): string {
  if (!g.initializers.some((t) => t.name === name)) g.initializers.push({ name, dataType: 'DOUBLE', dims: [1], values: [value] });
  return name;
}

/**
 * Adds the nodes that encode the raw inputs like `encodeRow` (before standardization); returns the
 * encoded [N, W] double tensor and, per column, what the logistic model subtracts and divides by.
 * `p` prefixes every name the encoding creates, so an ensemble can hold two.
 */
function addEncoding(g: GraphParts, encoding: ChurnEncoding, p: string): { encoded: string; shift: number[]; scale: number[] } {
  const parts: string[] = [];
  const shift: number[] = [];
  const scale: number[] = [];
  for (const f of encoding.features) {
    const n = `${p}${f.name}`;
    if (f.kind === 'categorical') {
      if (f.categories.length === 0) continue; // contributes no columns, like encodeRow
      g.initializers.push({ name: `${n}.categories`, dataType: 'STRING', dims: [f.categories.length], values: f.categories });
      g.nodes.push({ opType: 'Equal', name: `${n}.equal`, inputs: [f.name, `${n}.categories`], outputs: [`${n}.match`] });
      g.nodes.push(cast(`${n}.cast`, `${n}.match`, `${n}.onehot`, 'DOUBLE'));
      parts.push(`${n}.onehot`);
      for (let k = 0; k < f.categories.length; k++) {
        shift.push(0);
        scale.push(1);
      }
      continue;
    }
    g.initializers.push({ name: `${n}.median`, dataType: 'FLOAT', dims: [1], values: [f.median] });
    g.nodes.push(
      { opType: 'IsNaN', name: `${n}.isnan`, inputs: [f.name], outputs: [`${n}.missing`] },
      { opType: 'Where', name: `${n}.impute`, inputs: [`${n}.missing`, `${n}.median`, f.name], outputs: [`${n}.imputed`] },
      cast(`${n}.cast`, `${n}.imputed`, `${n}.value`, 'DOUBLE'),
    );
    parts.push(`${n}.value`);
    shift.push(f.mean);
    scale.push(f.std);
    if (f.log) {
      // logColumn in @vigil/common: ln(1 + max(v, 0)), in double like everything after the inputs.
      g.nodes.push(
        { opType: 'Max', name: `${n}.clamp`, inputs: [`${n}.value`, constant(g, 'const.zero', 0)], outputs: [`${n}.nonnegative`] },
        { opType: 'Add', name: `${n}.plus_one`, inputs: [`${n}.nonnegative`, constant(g, 'const.one', 1)], outputs: [`${n}.plus_one`] },
        { opType: 'Log', name: `${n}.log`, inputs: [`${n}.plus_one`], outputs: [`${n}.log`] },
      );
      parts.push(`${n}.log`);
      shift.push(f.log.mean);
      scale.push(f.log.std);
    }
  }
  const encoded = `${p}encoded`;
  g.nodes.push({ opType: 'Concat', name: `${p}encode`, inputs: parts, outputs: [encoded], attributes: [{ name: 'axis', kind: 'int', value: 1 }] });
  return { encoded, shift, scale };
}

/** Adds a logistic model's nodes; returns its double [N, 1] logit. */
function addLogistic(g: GraphParts, spec: LogisticChurnModel, p: string): string {
  const { encoded, shift, scale } = addEncoding(g, spec.encoding, p);
  const width = encodedWidth(spec.encoding);
  const standardized = spec.encoding.numeric === 'standardized';
  g.initializers.push(
    { name: `${p}shift`, dataType: 'DOUBLE', dims: [width], values: standardized ? shift : shift.map(() => 0) },
    { name: `${p}scale`, dataType: 'DOUBLE', dims: [width], values: standardized ? scale : scale.map(() => 1) },
    { name: `${p}weights`, dataType: 'DOUBLE', dims: [width, 1], values: spec.weights },
    { name: `${p}bias`, dataType: 'DOUBLE', dims: [1], values: [spec.bias] },
  );
  g.nodes.push(
    { opType: 'Sub', name: `${p}center`, inputs: [encoded, `${p}shift`], outputs: [`${p}centered`] },
    { opType: 'Div', name: `${p}standardize`, inputs: [`${p}centered`, `${p}scale`], outputs: [`${p}standardized`] },
    { opType: 'MatMul', name: `${p}linear`, inputs: [`${p}standardized`, `${p}weights`], outputs: [`${p}product`] },
    { opType: 'Add', name: `${p}intercept`, inputs: [`${p}product`, `${p}bias`], outputs: [`${p}logit.double`] },
  );
  return `${p}logit.double`;
}

/** Adds a gbdt model's nodes; returns its double [N, 1] logit. */
function addGbdt(g: GraphParts, spec: GbdtChurnModel, p: string): string {
  // Trees split on raw (imputed) values, so the encoding must not be standardized.
  if (spec.encoding.numeric !== 'raw') throw new VigilError('VIGIL_UNPROCESSABLE', 'gbdt specs use the raw numeric encoding');
  const { encoded } = addEncoding(g, spec.encoding, p);
  g.nodes.push(treeEnsemble(spec, `${p}trees`, encoded, `${p}logit.float`));
  g.nodes.push(cast(`${p}logit.widen`, `${p}logit.float`, `${p}logit.double`, 'DOUBLE'));
  return `${p}logit.double`;
}

/** Adds the nodes of any spec; returns its double [N, 1] logit. */
function addModel(g: GraphParts, spec: ChurnModelSpec): string {
  if (spec.kind === 'logistic') return addLogistic(g, spec, '');
  if (spec.kind === 'gbdt') return addGbdt(g, spec, '');
  // Same arithmetic as predictLogit: w * logistic + (1 - w) * gbdt, in double.
  const logistic = addLogistic(g, spec.logistic, 'logistic.');
  const gbdt = addGbdt(g, spec.gbdt, 'gbdt.');
  g.initializers.push(
    { name: 'logistic.share', dataType: 'DOUBLE', dims: [1], values: [spec.logisticWeight] },
    { name: 'gbdt.share', dataType: 'DOUBLE', dims: [1], values: [1 - spec.logisticWeight] },
  );
  g.nodes.push(
    { opType: 'Mul', name: 'logistic.weigh', inputs: [logistic, 'logistic.share'], outputs: ['logistic.weighted'] },
    { opType: 'Mul', name: 'gbdt.weigh', inputs: [gbdt, 'gbdt.share'], outputs: ['gbdt.weighted'] },
    { opType: 'Add', name: 'blend', inputs: ['logistic.weighted', 'gbdt.weighted'], outputs: ['logit.double'] },
  );
  return 'logit.double';
}

export function exportChurnOnnx(spec: ChurnModelSpec, options: { producerVersion?: string } = {}): Uint8Array {
  const problems = checkChurnModelSpec(spec);
  if (problems.length > 0) {
    throw new VigilError('VIGIL_UNPROCESSABLE', 'the churn model spec is inconsistent', { details: { errors: problems } });
  }
  const g: GraphParts = { nodes: [], initializers: [] };
  const logit = addModel(g, spec);
  g.nodes.push(
    cast('logit.cast', logit, CHURN_ONNX_OUTPUTS.logit, 'FLOAT'),
    { opType: 'Sigmoid', name: 'sigmoid', inputs: [logit], outputs: ['probability.double'] },
    cast('probability.cast', 'probability.double', CHURN_ONNX_OUTPUTS.probability, 'FLOAT'),
  );

  return encodeOnnxModel({
    irVersion: IR_VERSION,
    opsetImports: OPSETS,
    producerName: 'vigil-training',
    producerVersion: options.producerVersion ?? '0.1.0',
    graph: {
      name: `churn_${spec.kind}`,
      nodes: g.nodes,
      initializers: g.initializers,
      inputs: CHURN_FEATURES.map((f) => ({ name: f.name, elemType: f.kind === 'categorical' ? 'STRING' : 'FLOAT', shape: ['N', 1] })),
      outputs: [
        { name: CHURN_ONNX_OUTPUTS.probability, elemType: 'FLOAT', shape: ['N', 1] },
        { name: CHURN_ONNX_OUTPUTS.logit, elemType: 'FLOAT', shape: ['N', 1] },
      ],
    },
    metadata: {
      'vigil.model': 'churn',
      'vigil.model.kind': spec.kind,
      'vigil.model.features': JSON.stringify(CHURN_FEATURES),
      'vigil.model.outputs': JSON.stringify(Object.values(CHURN_ONNX_OUTPUTS)),
      'vigil.model.spec_sha256': churnSpecSha256(spec),
    },
  });
}

export type ChurnOnnxInput = { type: 'string'; data: string[] } | { type: 'float32'; data: Float32Array };

/**
 * The feeds of the exported graph for raw rows (shape [rows.length, 1] each), read exactly as
 * `encodeRow` reads them: categorical via readCategorical, numeric via readNumeric (NaN = missing).
 * Kept free of onnxruntime so callers wrap them in their own `new Tensor(type, data, [n, 1])`.
 */
export function churnOnnxInputs(rows: readonly ChurnRow[]): Record<string, ChurnOnnxInput> {
  const inputs: Record<string, ChurnOnnxInput> = {};
  for (const f of CHURN_FEATURES) {
    inputs[f.name] =
      f.kind === 'categorical'
        ? { type: 'string', data: rows.map((r) => readCategorical(r[f.name])) }
        : { type: 'float32', data: Float32Array.from(rows, (r) => readNumeric(r[f.name])) };
  }
  return inputs;
}

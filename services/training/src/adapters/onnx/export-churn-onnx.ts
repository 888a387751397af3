/**
 * Exports a ChurnModelSpec as one self-contained ONNX model that takes the RAW columns and does the
 * whole encoding in the graph, so a serving runtime needs nothing but onnxruntime:
 *
 *   categorical  string [N,1] --Equal(categories)--> bool [N,K] --Cast--> one-hot (unknown: zeros)
 *   numeric      float  [N,1] --IsNaN/Where(median)--> imputed --Cast(double)-->
 *   Concat -> encoded [N,W] double
 *   logistic: (encoded - shift) / scale  MatMul weights  Add bias -> logit
 *   gbdt:     ai.onnx.ml TreeEnsembleRegressor (double input, BRANCH_LEQ)  -> logit
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
  type ChurnModelSpec,
  type ChurnRow,
  type GbdtChurnModel,
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

function treeEnsemble(spec: GbdtChurnModel, input: string, output: string): OnnxNode {
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
  return { opType: 'TreeEnsembleRegressor', domain: 'ai.onnx.ml', name: 'trees', inputs: [input], outputs: [output], attributes };
}

export function exportChurnOnnx(spec: ChurnModelSpec, options: { producerVersion?: string } = {}): Uint8Array {
  const problems = checkChurnModelSpec(spec);
  if (problems.length > 0) {
    throw new VigilError('VIGIL_UNPROCESSABLE', 'the churn model spec is inconsistent', { details: { errors: problems } });
  }
  const nodes: OnnxNode[] = [];
  const initializers: OnnxTensor[] = [];
  const encodedParts: string[] = [];
  // Per column of the encoded vector: what the logistic model subtracts and divides by.
  const shift: number[] = [];
  const scale: number[] = [];

  for (const f of spec.encoding.features) {
    if (f.kind === 'categorical') {
      if (f.categories.length === 0) continue; // contributes no columns, like encodeRow
      initializers.push({ name: `${f.name}.categories`, dataType: 'STRING', dims: [f.categories.length], values: f.categories });
      nodes.push({ opType: 'Equal', name: `${f.name}.equal`, inputs: [f.name, `${f.name}.categories`], outputs: [`${f.name}.match`] });
      nodes.push(cast(`${f.name}.cast`, `${f.name}.match`, `${f.name}.onehot`, 'DOUBLE'));
      encodedParts.push(`${f.name}.onehot`);
      for (let k = 0; k < f.categories.length; k++) {
        shift.push(0);
        scale.push(1);
      }
    } else {
      initializers.push({ name: `${f.name}.median`, dataType: 'FLOAT', dims: [1], values: [f.median] });
      nodes.push({ opType: 'IsNaN', name: `${f.name}.isnan`, inputs: [f.name], outputs: [`${f.name}.missing`] });
      nodes.push({
        opType: 'Where',
        name: `${f.name}.impute`,
        inputs: [`${f.name}.missing`, `${f.name}.median`, f.name],
        outputs: [`${f.name}.imputed`],
      });
      nodes.push(cast(`${f.name}.cast`, `${f.name}.imputed`, `${f.name}.value`, 'DOUBLE'));
      encodedParts.push(`${f.name}.value`);
      shift.push(f.mean);
      scale.push(f.std);
    }
  }
  const width = encodedWidth(spec.encoding);
  nodes.push({ opType: 'Concat', name: 'encode', inputs: encodedParts, outputs: ['encoded'], attributes: [{ name: 'axis', kind: 'int', value: 1 }] });

  if (spec.kind === 'logistic') {
    const standardized = spec.encoding.numeric === 'standardized';
    initializers.push(
      { name: 'shift', dataType: 'DOUBLE', dims: [width], values: standardized ? shift : shift.map(() => 0) },
      { name: 'scale', dataType: 'DOUBLE', dims: [width], values: standardized ? scale : scale.map(() => 1) },
      { name: 'weights', dataType: 'DOUBLE', dims: [width, 1], values: spec.weights },
      { name: 'bias', dataType: 'DOUBLE', dims: [1], values: [spec.bias] },
    );
    nodes.push(
      { opType: 'Sub', name: 'center', inputs: ['encoded', 'shift'], outputs: ['centered'] },
      { opType: 'Div', name: 'standardize', inputs: ['centered', 'scale'], outputs: ['standardized'] },
      { opType: 'MatMul', name: 'linear', inputs: ['standardized', 'weights'], outputs: ['product'] },
      { opType: 'Add', name: 'intercept', inputs: ['product', 'bias'], outputs: ['logit.double'] },
      cast('logit.cast', 'logit.double', CHURN_ONNX_OUTPUTS.logit, 'FLOAT'),
    );
  } else {
    // Trees split on raw (imputed) values, so the encoding must not be standardized.
    if (spec.encoding.numeric !== 'raw') throw new VigilError('VIGIL_UNPROCESSABLE', 'gbdt specs use the raw numeric encoding');
    nodes.push(treeEnsemble(spec, 'encoded', CHURN_ONNX_OUTPUTS.logit));
    nodes.push(cast('logit.widen', CHURN_ONNX_OUTPUTS.logit, 'logit.double', 'DOUBLE'));
  }
  nodes.push(
    { opType: 'Sigmoid', name: 'sigmoid', inputs: ['logit.double'], outputs: ['probability.double'] },
    cast('probability.cast', 'probability.double', CHURN_ONNX_OUTPUTS.probability, 'FLOAT'),
  );

  return encodeOnnxModel({
    irVersion: IR_VERSION,
    opsetImports: OPSETS,
    producerName: 'vigil-training',
    producerVersion: options.producerVersion ?? '0.1.0',
    graph: {
      name: `churn_${spec.kind}`,
      nodes,
      initializers,
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

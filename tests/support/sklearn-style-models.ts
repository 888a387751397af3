import { encodeOnnxModel, type OnnxModel, type OnnxNode, type OnnxValueInfo } from '../../services/training/src/adapters/onnx/onnx-proto';

/**
 * ONNX models laid out the way skl2onnx writes them (LogisticRegression, a ColumnTransformer with a
 * OneHotEncoder over a string column feeding a tree ensemble, LinearRegression), each with the
 * reference implementation of what scikit-learn would answer, so a test can compare to 1e-5.
 */
const OPSETS = [{ domain: '', version: 17 }, { domain: 'ai.onnx.ml', version: 3 }];
const model = (name: string, nodes: OnnxNode[], inputs: OnnxValueInfo[], outputs: OnnxValueInfo[], initializers: OnnxModel['graph']['initializers'] = []): Uint8Array =>
  encodeOnnxModel({ irVersion: 8, opsetImports: OPSETS, producerName: 'skl2onnx', producerVersion: '1.17.0', graph: { name, nodes, initializers, inputs, outputs }, metadata: {} });
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** LogisticRegression on 3 floats, classes [0, 1]: LinearClassifier → Normalizer → ZipMap. */
export function makeLogisticRegression(w: number[], b: number) {
  const onnx = model('LogisticRegression', [
    {
      opType: 'LinearClassifier', domain: 'ai.onnx.ml', name: 'LinearClassifier', inputs: ['float_input'], outputs: ['label', 'probability_tensor'],
      attributes: [
        { name: 'classlabels_ints', kind: 'ints', value: [0, 1] },
        { name: 'coefficients', kind: 'floats', value: [...w.map((x) => -x), ...w] },
        { name: 'intercepts', kind: 'floats', value: [-b, b] },
        { name: 'multi_class', kind: 'int', value: 0 },
        { name: 'post_transform', kind: 'string', value: 'LOGISTIC' },
      ],
    },
    { opType: 'Normalizer', domain: 'ai.onnx.ml', name: 'Normalizer', inputs: ['probability_tensor'], outputs: ['probabilities'], attributes: [{ name: 'norm', kind: 'string', value: 'L1' }] },
    { opType: 'Cast', name: 'Cast', inputs: ['label'], outputs: ['output_label'], attributes: [{ name: 'to', kind: 'int', value: 7 }] },
    { opType: 'ZipMap', domain: 'ai.onnx.ml', name: 'ZipMap', inputs: ['probabilities'], outputs: ['output_probability'], attributes: [{ name: 'classlabels_int64s', kind: 'ints', value: [0, 1] }] },
  ], [{ name: 'float_input', elemType: 'FLOAT', shape: ['N', 3] }], [
    { name: 'output_label', elemType: 'INT64', shape: ['N'] },
    { name: 'output_probability', elemType: 'FLOAT', shape: [], sequenceOfMapsKey: 'INT64' },
  ]);
  /** predict_proba: [1 - p, p] with p = sigmoid(w·x + b). */
  const predictProba = (x: number[]) => {
    const p = sigmoid(w.reduce((s, wi, i) => s + wi * x[i], b));
    return [1 - p, p];
  };
  return { onnx, classes: [0, 1], predictProba };
}
export const logisticRegression = makeLogisticRegression([0.8, -1.2, 0.5], -0.3);

/**
 * Pipeline(ColumnTransformer(OneHotEncoder on "plan", passthrough "usage"), DecisionTreeClassifier)
 * with string labels: inputs plan [N,1] string and usage [N,1] float, as skl2onnx names them.
 */
export const planTree = (() => {
  const plans = ['basic', 'plus', 'pro'];
  const classes = ['churn', 'stay', 'upgrade'];
  // Features after the transformer: [basic, plus, pro, usage]. Node 0: usage <= 10 ? node 1 : node 2;
  // node 2: basic <= 0.5 ? node 3 : node 4. Leaves carry class probabilities (sklearn's tree_.value, normalised).
  const leaves: Record<number, number[]> = { 1: [0.7, 0.3, 0], 3: [0.1, 0.3, 0.6], 4: [0.2, 0.8, 0] };
  const onnx = model('PlanTree', [
    { opType: 'OneHotEncoder', domain: 'ai.onnx.ml', name: 'OneHotEncoder', inputs: ['plan'], outputs: ['plan_onehot'], attributes: [
      { name: 'cats_strings', kind: 'strings', value: plans }, { name: 'zeros', kind: 'int', value: 1 },
    ] },
    { opType: 'Reshape', name: 'Reshape', inputs: ['plan_onehot', 'onehot_shape'], outputs: ['plan_2d'] },
    { opType: 'Concat', name: 'Concat', inputs: ['plan_2d', 'usage'], outputs: ['features'], attributes: [{ name: 'axis', kind: 'int', value: 1 }] },
    {
      opType: 'TreeEnsembleClassifier', domain: 'ai.onnx.ml', name: 'TreeEnsembleClassifier', inputs: ['features'], outputs: ['label', 'probabilities'],
      attributes: [
        { name: 'classlabels_strings', kind: 'strings', value: classes },
        { name: 'nodes_treeids', kind: 'ints', value: [0, 0, 0, 0, 0] },
        { name: 'nodes_nodeids', kind: 'ints', value: [0, 1, 2, 3, 4] },
        { name: 'nodes_featureids', kind: 'ints', value: [3, 0, 0, 0, 0] },
        { name: 'nodes_modes', kind: 'strings', value: ['BRANCH_LEQ', 'LEAF', 'BRANCH_LEQ', 'LEAF', 'LEAF'] },
        { name: 'nodes_values', kind: 'floats', value: [10, 0, 0.5, 0, 0] },
        { name: 'nodes_truenodeids', kind: 'ints', value: [1, 0, 3, 0, 0] },
        { name: 'nodes_falsenodeids', kind: 'ints', value: [2, 0, 4, 0, 0] },
        { name: 'class_treeids', kind: 'ints', value: [0, 0, 0, 0, 0, 0, 0, 0, 0] },
        { name: 'class_nodeids', kind: 'ints', value: [1, 1, 1, 3, 3, 3, 4, 4, 4] },
        { name: 'class_ids', kind: 'ints', value: [0, 1, 2, 0, 1, 2, 0, 1, 2] },
        { name: 'class_weights', kind: 'floats', value: [...leaves[1], ...leaves[3], ...leaves[4]] },
        { name: 'post_transform', kind: 'string', value: 'NONE' },
      ],
    },
    { opType: 'ZipMap', domain: 'ai.onnx.ml', name: 'ZipMap', inputs: ['probabilities'], outputs: ['output_probability'], attributes: [{ name: 'classlabels_strings', kind: 'strings', value: classes }] },
    { opType: 'Identity', name: 'Identity', inputs: ['label'], outputs: ['output_label'] },
  ], [{ name: 'plan', elemType: 'STRING', shape: ['N', 1] }, { name: 'usage', elemType: 'FLOAT', shape: ['N', 1] }], [
    { name: 'output_label', elemType: 'STRING', shape: ['N'] },
    { name: 'output_probability', elemType: 'FLOAT', shape: [], sequenceOfMapsKey: 'STRING' },
  ], [{ name: 'onehot_shape', dataType: 'INT64', dims: [2], values: [-1, 3] }]);
  const predictProba = (plan: string, usage: number) => (usage <= 10 ? leaves[1] : plan === 'basic' ? leaves[4] : leaves[3]);
  return { onnx, classes, predictProba };
})();

/** LinearRegression on 2 floats: LinearRegressor → variable [N, 1]. */
export const linearRegression = (() => {
  const w = [2.5, -0.75];
  const b = 10;
  const onnx = model('LinearRegression', [
    { opType: 'LinearRegressor', domain: 'ai.onnx.ml', name: 'LinearRegressor', inputs: ['float_input'], outputs: ['variable'], attributes: [
      { name: 'coefficients', kind: 'floats', value: w }, { name: 'intercepts', kind: 'floats', value: [b] },
    ] },
  ], [{ name: 'float_input', elemType: 'FLOAT', shape: ['N', 2] }], [{ name: 'variable', elemType: 'FLOAT', shape: ['N', 1] }]);
  return { onnx, predict: (x: number[]) => w[0] * x[0] + w[1] * x[1] + b };
})();

/** A graph with an operator from a domain onnxruntime has never heard of. */
export const customDomainModel = model('Custom', [
  { opType: 'FancyScale', domain: 'com.acme.ops', name: 'FancyScale', inputs: ['x'], outputs: ['y'] },
], [{ name: 'x', elemType: 'FLOAT', shape: ['N', 1] }], [{ name: 'y', elemType: 'FLOAT', shape: ['N', 1] }]);

/** The multipart body of POST /v1/models/{name}/versions: part "model" (the bytes), part "config" (JSON, or text as given), and any further text parts (reference). */
export function modelForm(onnx: Uint8Array, config: unknown, extra: Record<string, string> = {}, filename = 'model.onnx') {
  const boundary = `----vigil${Math.random().toString(16).slice(2)}`;
  const text = (name: string, value: string) => Buffer.from(`\r\n--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}`);
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="model"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    Buffer.from(onnx),
    text('config', typeof config === 'string' ? config : JSON.stringify(config)),
    ...Object.entries(extra).map(([name, value]) => text(name, value)),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

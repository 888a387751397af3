/**
 * A richer head for an image model: standardise → one hidden ReLU layer → sigmoid, trained with
 * the same class weights as the linear head, mini-batch Adam and early stopping on the validation
 * images. `hidden: 0` is the linear head trained the same way.
 *
 * Exported to ONNX as Sub → Div → Gemm → Relu → Gemm → Sigmoid (export-head-onnx.ts); scoreMlpHead
 * is the same arithmetic in float64.
 */
import { rocAuc } from '../churn/metrics';
import { deriveSeed, mulberry32, shuffleInPlace } from '../churn/random';
import { standardizer, type Embeddings } from './linear-head';

// Bound once: under jest's vm sandbox every lookup of the global `Math` costs ~40x, and these run in hot loops.
const { exp, sqrt } = Math;

export interface MlpHead {
  kind: 'mlp-head';
  mean: number[];
  scale: number[];
  /** Hidden layer: d × hidden, row-major (input-major), the layout of ONNX Gemm's B. Empty when hidden = 0. */
  hiddenWeights: number[];
  hiddenBias: number[];
  /** Output layer: hidden weights (or d when hidden = 0) and one bias. */
  outputWeights: number[];
  outputBias: number;
}

export interface MlpParams {
  hidden: number;
  /** L2 penalty on every weight (not the biases), per sample: objective = weighted mean log loss + l2/2 · |W|². */
  l2: number;
  learningRate: number;
  batchSize: number;
  maxEpochs: number;
  /** Epochs without a better validation ROC AUC before training stops; the best epoch's weights are kept. */
  patience: number;
}

export interface MlpFit {
  head: MlpHead;
  /** The epoch (1-based) whose weights were kept, and the epochs run. */
  bestEpoch: number;
  epochs: number;
  /** The criterion at the kept epoch, on the validation rows. */
  validationScore: number;
}

/** What early stopping maximises on the validation rows: ROC AUC unless the task knows better. */
export type Criterion = (scores: Float64Array, labels: number[]) => number;

const sigmoid = (z: number) => 1 / (1 + exp(-z));

/** Standardised copies of the given rows (float32: half the memory traffic of float64 in the hot loops). */
function standardRows(x: Embeddings, rows: readonly number[], mean: number[], scale: number[]): Float32Array {
  const { d, data } = x;
  const out = new Float32Array(rows.length * d);
  rows.forEach((i, r) => {
    for (let j = 0; j < d; j++) out[r * d + j] = (data[i * d + j] - mean[j]) / scale[j];
  });
  return out;
}

interface Net {
  d: number;
  h: number;
  /** Hidden d×h (input-major), then hidden bias h, then output weights (h, or d if h = 0), then output bias. */
  theta: Float64Array;
}

const layout = (d: number, h: number) => {
  const w1 = 0;
  const b1 = d * h;
  const w2 = b1 + h;
  const b2 = w2 + (h > 0 ? h : d);
  return { w1, b1, w2, b2, size: b2 + 1 };
};

/** Forward pass of one standardised row; fills `act` (hidden activations) and returns the logit. */
function forward(net: Net, X: Float32Array, r: number, act: Float64Array): number {
  const { d, h, theta } = net;
  const L = layout(d, h);
  const off = r * d;
  if (h === 0) {
    let z = theta[L.b2];
    for (let j = 0; j < d; j++) z += theta[L.w2 + j] * X[off + j];
    return z;
  }
  for (let k = 0; k < h; k++) act[k] = theta[L.b1 + k];
  for (let j = 0; j < d; j++) {
    const v = X[off + j];
    const base = j * h;
    for (let k = 0; k < h; k++) act[k] += v * theta[base + k];
  }
  let z = theta[L.b2];
  for (let k = 0; k < h; k++) {
    if (act[k] < 0) act[k] = 0;
    z += theta[L.w2 + k] * act[k];
  }
  return z;
}

function scoreRows(net: Net, X: Float32Array, n: number): Float64Array {
  const act = new Float64Array(net.h);
  return Float64Array.from({ length: n }, (_, r) => sigmoid(forward(net, X, r, act)));
}

/**
 * Fits the head on `train` rows and stops early on `validation` rows, keeping the epoch with the
 * best `criterion` (the quantity the grid search compares). Deterministic given the seed: the
 * initial weights and the batch order come from it.
 */
export function fitMlpHead(
  x: Embeddings,
  train: readonly number[],
  validation: readonly number[],
  y: ArrayLike<number>,
  params: MlpParams,
  seed: number,
  criterion: Criterion = rocAuc,
): MlpFit {
  const { d } = x;
  const h = params.hidden;
  const { mean, scale } = standardizer(x, train);
  const X = standardRows(x, train, mean, scale);
  const V = standardRows(x, validation, mean, scale);
  const yTrain = Float64Array.from(train, (i) => y[i]);
  const yValidation = Array.from(validation, (i) => y[i]);
  const n = train.length;
  const positives = yTrain.reduce((s, v) => s + v, 0);
  const classWeight = [n - positives > 0 ? n / (2 * (n - positives)) : 1, positives > 0 ? n / (2 * positives) : 1];

  const L = layout(d, h);
  const net: Net = { d, h, theta: new Float64Array(L.size) };
  const rng = mulberry32(deriveSeed(seed, 40));
  // He-uniform for the ReLU layer; the output layer starts small so the first steps are not saturated.
  const limit1 = sqrt(6 / d);
  for (let i = L.w1; i < L.b1; i++) net.theta[i] = (2 * rng() - 1) * limit1;
  const limit2 = h > 0 ? sqrt(6 / (h + 1)) * 0.1 : 0;
  for (let i = L.w2; i < L.b2; i++) net.theta[i] = (2 * rng() - 1) * limit2;
  const penalised = (i: number) => (i >= L.w1 && i < L.b1) || (i >= L.w2 && i < L.b2);

  const grad = new Float64Array(L.size);
  const m = new Float64Array(L.size);
  const v = new Float64Array(L.size);
  const act = new Float64Array(h);
  const delta = new Float64Array(h);
  const order = Array.from({ length: n }, (_, r) => r);
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];
  let step = 0;
  let best = { score: -Infinity, epoch: 0, theta: net.theta.slice() };
  let epoch = 0;
  while (epoch < params.maxEpochs && epoch - best.epoch < params.patience) {
    epoch++;
    shuffleInPlace(order, rng);
    for (let start = 0; start < n; start += params.batchSize) {
      const end = Math.min(start + params.batchSize, n);
      grad.fill(0);
      let weightSum = 0;
      for (let s = start; s < end; s++) weightSum += classWeight[yTrain[order[s]]];
      for (let s = start; s < end; s++) {
        const r = order[s];
        const err = ((sigmoid(forward(net, X, r, act)) - yTrain[r]) * classWeight[yTrain[r]]) / weightSum;
        const off = r * d;
        grad[L.b2] += err;
        if (h === 0) {
          for (let j = 0; j < d; j++) grad[L.w2 + j] += err * X[off + j];
          continue;
        }
        for (let k = 0; k < h; k++) {
          grad[L.w2 + k] += err * act[k];
          delta[k] = act[k] > 0 ? err * net.theta[L.w2 + k] : 0;
          grad[L.b1 + k] += delta[k];
        }
        for (let j = 0; j < d; j++) {
          const xv = X[off + j];
          const base = j * h;
          for (let k = 0; k < h; k++) grad[base + k] += xv * delta[k];
        }
      }
      step++;
      const lr = (params.learningRate * sqrt(1 - b2 ** step)) / (1 - b1 ** step);
      const theta = net.theta;
      for (let i = 0; i < L.size; i++) {
        const g = grad[i] + (penalised(i) ? params.l2 * theta[i] : 0);
        m[i] = b1 * m[i] + (1 - b1) * g;
        v[i] = b2 * v[i] + (1 - b2) * g * g;
        theta[i] -= (lr * m[i]) / (sqrt(v[i]) + eps);
      }
    }
    const score = criterion(scoreRows(net, V, validation.length), yValidation);
    if (score > best.score) best = { score, epoch, theta: net.theta.slice() };
  }
  const t = best.theta;
  return {
    head: {
      kind: 'mlp-head',
      mean,
      scale,
      hiddenWeights: Array.from(t.subarray(L.w1, L.b1)),
      hiddenBias: Array.from(t.subarray(L.b1, L.w2)),
      outputWeights: Array.from(t.subarray(L.w2, L.b2)),
      outputBias: t[L.b2],
    },
    bestEpoch: best.epoch,
    epochs: epoch,
    validationScore: best.score,
  };
}

/** Probabilities of the head for the given rows: the arithmetic of the exported graph, in float64. */
export function scoreMlpHead(head: MlpHead, x: Embeddings, rows: readonly number[]): Float64Array {
  const { d, data } = x;
  const h = head.hiddenBias.length;
  const z = new Float64Array(d);
  const act = new Float64Array(h);
  return Float64Array.from(rows, (i) => {
    for (let j = 0; j < d; j++) z[j] = (data[i * d + j] - head.mean[j]) / head.scale[j];
    let logit = head.outputBias;
    if (h === 0) {
      for (let j = 0; j < d; j++) logit += head.outputWeights[j] * z[j];
      return sigmoid(logit);
    }
    act.set(head.hiddenBias);
    for (let j = 0; j < d; j++) for (let k = 0; k < h; k++) act[k] += z[j] * head.hiddenWeights[j * h + k];
    for (let k = 0; k < h; k++) logit += head.outputWeights[k] * (act[k] > 0 ? act[k] : 0);
    return sigmoid(logit);
  });
}

/**
 * The trained part of an image model: a class-weighted, L2-regularised logistic regression on the
 * frozen backbone's embedding. Embeddings are standardised first (mean/scale stored with the head,
 * applied inside the ONNX graph), which keeps one learning rate right for every dimension.
 */

export interface LinearHead {
  kind: 'linear-head';
  mean: number[];
  scale: number[];
  weights: number[];
  bias: number;
}

export interface HeadParams {
  /** L2 penalty per sample (objective: weighted mean log loss + l2/2 · |w|²). */
  l2: number;
  iterations: number;
  learningRate: number;
}

/** Rows of an n × d embedding matrix stored flat. */
export interface Embeddings {
  data: Float32Array;
  n: number;
  d: number;
}

export function standardizer(x: Embeddings, rows: readonly number[]): { mean: number[]; scale: number[] } {
  const { d, data } = x;
  const mean = new Array<number>(d).fill(0);
  const sq = new Array<number>(d).fill(0);
  for (const i of rows) for (let j = 0; j < d; j++) mean[j] += data[i * d + j] / rows.length;
  for (const i of rows) for (let j = 0; j < d; j++) sq[j] += (data[i * d + j] - mean[j]) ** 2 / rows.length;
  // A dimension that never varies (a ReLU unit dead on every image) gets scale 1, not a division by 0.
  return { mean, scale: sq.map((v) => (v > 1e-12 ? sqrt(v) : 1)) };
}

// Bound once: under jest's vm sandbox every lookup of the global `Math` costs ~40x, and these run in hot loops.
const { exp, sqrt } = Math;

/** Standardised copies of the rows, float32: half the memory traffic of float64 in the loops below. */
function standardRows(x: Embeddings, rows: readonly number[], mean: number[], scale: number[]): Float32Array {
  const { d, data } = x;
  const out = new Float32Array(rows.length * d);
  rows.forEach((i, r) => {
    for (let j = 0; j < d; j++) out[r * d + j] = (data[i * d + j] - mean[j]) / scale[j];
  });
  return out;
}

const sigmoid = (z: number) => 1 / (1 + exp(-z));

/**
 * Full-batch Adam on the weighted log loss. Class weights n/(2·n_class) make both classes count
 * equally, so a head cannot look good by always answering the majority class. Deterministic: no
 * sampling, fixed iteration count, zero initialisation.
 */
export function fitLinearHead(x: Embeddings, rows: readonly number[], y: ArrayLike<number>, params: HeadParams): LinearHead {
  const { d } = x;
  const { mean, scale } = standardizer(x, rows);
  const X = standardRows(x, rows, mean, scale);
  const n = rows.length;
  const positives = rows.reduce((s, i) => s + y[i], 0);
  const wPos = positives > 0 ? n / (2 * positives) : 1;
  const wNeg = n - positives > 0 ? n / (2 * (n - positives)) : 1;
  const w = new Float64Array(d + 1); // last entry: bias
  const m = new Float64Array(d + 1);
  const v = new Float64Array(d + 1);
  const g = new Float64Array(d + 1);
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];
  for (let t = 1; t <= params.iterations; t++) {
    g.fill(0);
    for (let r = 0; r < n; r++) {
      let z = w[d];
      const off = r * d;
      for (let j = 0; j < d; j++) z += w[j] * X[off + j];
      const label = y[rows[r]];
      const err = (sigmoid(z) - label) * (label === 1 ? wPos : wNeg) / n;
      for (let j = 0; j < d; j++) g[j] += err * X[off + j];
      g[d] += err;
    }
    for (let j = 0; j < d; j++) g[j] += params.l2 * w[j];
    const lr = params.learningRate * sqrt(1 - b2 ** t) / (1 - b1 ** t);
    for (let j = 0; j <= d; j++) {
      m[j] = b1 * m[j] + (1 - b1) * g[j];
      v[j] = b2 * v[j] + (1 - b2) * g[j] * g[j];
      w[j] -= (lr * m[j]) / (sqrt(v[j]) + eps);
    }
  }
  return { kind: 'linear-head', mean, scale, weights: Array.from(w.subarray(0, d)), bias: w[d] };
}

/** Probabilities of the head for the given rows; the same arithmetic as the exported graph. */
export function scoreHead(head: LinearHead, x: Embeddings, rows: readonly number[]): Float64Array {
  const { d, data } = x;
  return Float64Array.from(rows, (i) => {
    let z = head.bias;
    for (let j = 0; j < d; j++) z += head.weights[j] * ((data[i * d + j] - head.mean[j]) / head.scale[j]);
    return sigmoid(z);
  });
}

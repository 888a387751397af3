/**
 * L2-regularised logistic regression by Newton's method (IRLS). With ~45 encoded columns the
 * Hessian is tiny, so Newton converges in under ten exact steps where gradient descent would need
 * thousands and a learning rate to tune. The bias is not penalised.
 */

// Bound once: under jest's vm sandbox every lookup of the global `Math` costs ~40x, and these run in hot loops.
const { abs, exp, log1p, max, sqrt } = Math;

export interface LogisticParams {
  /** L2 penalty on the summed (not averaged) log-loss: objective = sum(logloss) + l2/2 * |w|^2. */
  l2: number;
  maxIterations?: number;
}

export interface LogisticFit {
  weights: number[];
  bias: number;
  iterations: number;
}

function objective(X: readonly Float64Array[], y: ArrayLike<number>, theta: Float64Array, l2: number): number {
  const d = theta.length - 1;
  let loss = 0;
  for (let i = 0; i < X.length; i++) {
    let z = theta[d];
    for (let j = 0; j < d; j++) z += theta[j] * X[i][j];
    // log(1 + e^z) - y z, written to stay finite for large |z|.
    loss += max(z, 0) + log1p(exp(-abs(z))) - y[i] * z;
  }
  for (let j = 0; j < d; j++) loss += 0.5 * l2 * theta[j] * theta[j];
  return loss;
}

/** Solves A x = b for symmetric positive definite A (row-major n x n) by Cholesky; A is overwritten. */
function choleskySolve(A: Float64Array, b: Float64Array, n: number): Float64Array {
  for (let j = 0; j < n; j++) {
    let diag = A[j * n + j];
    for (let k = 0; k < j; k++) diag -= A[j * n + k] ** 2;
    if (!(diag > 0)) throw new Error('Hessian is not positive definite');
    const l = sqrt(diag);
    A[j * n + j] = l;
    for (let i = j + 1; i < n; i++) {
      let s = A[i * n + j];
      for (let k = 0; k < j; k++) s -= A[i * n + k] * A[j * n + k];
      A[i * n + j] = s / l;
    }
  }
  const x = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < i; k++) x[i] -= A[i * n + k] * x[k];
    x[i] /= A[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    for (let k = i + 1; k < n; k++) x[i] -= A[k * n + i] * x[k];
    x[i] /= A[i * n + i];
  }
  return x;
}

export function fitLogistic(X: readonly Float64Array[], y: ArrayLike<number>, params: LogisticParams): LogisticFit {
  const d = X[0]?.length ?? 0;
  const n = d + 1; // weights, then bias
  const theta = new Float64Array(n);
  // One-hot rows are mostly zeros: keep (index, value) of the non-zeros, plus the bias column.
  const sparse = X.map((x) => {
    const index: number[] = [];
    const value: number[] = [];
    x.forEach((v, j) => {
      if (v !== 0) {
        index.push(j);
        value.push(v);
      }
    });
    index.push(d);
    value.push(1);
    return { index: Int32Array.from(index), value: Float64Array.from(value) };
  });
  const maxIterations = params.maxIterations ?? 50;
  let current = objective(X, y, theta, params.l2);
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    const grad = new Float64Array(n);
    const hess = new Float64Array(n * n);
    for (let i = 0; i < X.length; i++) {
      const { index, value } = sparse[i];
      let z = 0;
      for (let a = 0; a < index.length; a++) z += theta[index[a]] * value[a];
      const p = 1 / (1 + exp(-z));
      const r = p - y[i];
      const w = p * (1 - p);
      // Lower triangle only; indices ascend, so (index[a], index[b <= a]) is on or below the diagonal.
      for (let a = 0; a < index.length; a++) {
        const j = index[a];
        grad[j] += r * value[a];
        const wj = w * value[a];
        for (let b = 0; b <= a; b++) hess[j * n + index[b]] += wj * value[b];
      }
    }
    for (let j = 0; j < n; j++) for (let k = 0; k < j; k++) hess[k * n + j] = hess[j * n + k];
    for (let j = 0; j < d; j++) {
      grad[j] += params.l2 * theta[j];
      hess[j * n + j] += params.l2;
    }
    hess[d * n + d] += 1e-9; // keeps the bias pivot positive if every row is one class
    const step = choleskySolve(hess, grad, n);
    // Newton with step halving: never accept a step that increases the objective.
    let scale = 1;
    let next = theta.map((t, j) => t - step[j]);
    let value = objective(X, y, next, params.l2);
    while (value > current && scale > 1e-6) {
      scale /= 2;
      next = theta.map((t, j) => t - scale * step[j]);
      value = objective(X, y, next, params.l2);
    }
    const maxChange = step.reduce((m, s) => max(m, abs(scale * s)), 0);
    theta.set(next);
    current = value;
    if (maxChange < 1e-10) {
      iterations++;
      break;
    }
  }
  return { weights: Array.from(theta.subarray(0, d)), bias: theta[d], iterations };
}

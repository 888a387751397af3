/**
 * Gradient-boosted regression trees on the log-odds (logistic loss, second-order leaf values as in
 * XGBoost), with histogram split finding on pre-binned features and early stopping on a
 * validation set.
 *
 * Float32 discipline: bin edges (the tree thresholds) and leaf values are float32-representable and
 * rows are binned from Math.fround(x), so the tree routes a row exactly like `predictTree` in
 * @vigil/common and like onnxruntime's TreeEnsembleRegressor (float32 thresholds, float32 inputs).
 */
import type { TreeNode } from '@vigil/common';
import { mulberry32, shuffleInPlace } from './random';

// Bound once: under jest's vm sandbox every lookup of the global `Math` costs ~40x, and these run in hot loops.
const { abs, exp, floor, fround, log, log1p, max, min, round } = Math;

export interface GbdtParams {
  maxDepth: number;
  learningRate: number;
  maxRounds: number;
  /** Minimum training rows in each child of a split. */
  minSamplesLeaf: number;
  /** L2 penalty on leaf values (XGBoost lambda). */
  l2: number;
  /** Fraction of rows drawn (without replacement) for each tree. */
  subsample: number;
  /** Stop after this many rounds without a better validation log-loss. */
  earlyStoppingRounds: number;
  /** At most this many bins per feature (<= 256). */
  maxBins: number;
  /** Fraction of the encoded columns each tree may split on, drawn per tree (XGBoost colsample_bytree). Default 1. */
  colsample?: number;
}

export interface GbdtFit {
  baseScore: number;
  trees: TreeNode[][];
  /** Rounds kept (the best validation round when validating, else maxRounds). */
  rounds: number;
  bestValidationLogLoss?: number;
}

interface Binned {
  /** Per feature, ascending float32 cut points: bin(x) = number of cuts < fround(x). */
  cuts: Float64Array[];
  /** Row-major bins, bins[row * nFeatures + f]. */
  bins: Uint8Array;
  /** Start of feature f's bins in the flat histogram. */
  offsets: Int32Array;
  /**
   * Histogram slots of each row's non-zero bins (CSR: row r owns entries start[r]..start[r+1]).
   * One-hot columns sit in bin 0 most of the time, so skipping bin 0 (derived from the node totals)
   * halves the work of the histogram loop, which dominates training time.
   */
  sparseStart: Int32Array;
  sparseSlot: Int32Array;
}

function toBinned(bins: Uint8Array, cuts: Float64Array[], nRows: number): Binned {
  const nFeatures = cuts.length;
  const offsets = new Int32Array(nFeatures + 1);
  for (let f = 0; f < nFeatures; f++) offsets[f + 1] = offsets[f] + cuts[f].length + 1;
  const sparseStart = new Int32Array(nRows + 1);
  const slots: number[] = [];
  for (let r = 0; r < nRows; r++) {
    for (let f = 0; f < nFeatures; f++) {
      const b = bins[r * nFeatures + f];
      if (b !== 0) slots.push(offsets[f] + b);
    }
    sparseStart[r + 1] = slots.length;
  }
  return { cuts, bins, offsets, sparseStart, sparseSlot: Int32Array.from(slots) };
}

function fitCuts(values: Float64Array, maxBins: number): Float64Array {
  const sorted = Float64Array.from(values, (v) => fround(v)).sort();
  const cuts: number[] = [];
  const addCut = (a: number, b: number) => {
    if (!(a < b)) return;
    const mid = fround((a + b) / 2);
    const cut = mid < b ? mid : a; // keeps a <= cut < b when a and b are adjacent floats
    if (cuts.length === 0 || cut > cuts[cuts.length - 1]) cuts.push(cut);
  };
  const unique = sorted.filter((v, i) => i === 0 || v !== sorted[i - 1]);
  if (unique.length <= maxBins) {
    for (let i = 1; i < unique.length; i++) addCut(unique[i - 1], unique[i]);
  } else {
    for (let q = 1; q < maxBins; q++) {
      const at = floor((q * sorted.length) / maxBins);
      addCut(sorted[at - 1], sorted[at]);
    }
  }
  return Float64Array.from(cuts);
}

function binRows(X: readonly Float64Array[], cuts: Float64Array[]): Uint8Array {
  const nFeatures = cuts.length;
  const out = new Uint8Array(X.length * nFeatures);
  for (let i = 0; i < X.length; i++) {
    for (let f = 0; f < nFeatures; f++) {
      const v = fround(X[i][f]);
      const c = cuts[f];
      let lo = 0;
      let hi = c.length; // first cut >= v, by binary search
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (c[mid] < v) lo = mid + 1;
        else hi = mid;
      }
      out[i * nFeatures + f] = lo;
    }
  }
  return out;
}

/** A node while training: splits on bins; `threshold` is the float32 cut it corresponds to. */
interface BuildNode extends TreeNode {
  splitBin: number;
}

function predictBinned(tree: readonly BuildNode[], bins: Uint8Array, nFeatures: number, row: number): number {
  let i = 0;
  const base = row * nFeatures;
  while (tree[i].feature >= 0) i = bins[base + tree[i].feature] <= tree[i].splitBin ? tree[i].left : tree[i].right;
  return tree[i].value;
}

function buildTree(rows: Int32Array, g: Float64Array, h: Float64Array, data: Binned, params: GbdtParams, columns: Int32Array): BuildNode[] {
  const nFeatures = data.cuts.length;
  const { offsets, sparseStart, sparseSlot } = data;
  const histG = new Float64Array(offsets[nFeatures]);
  const histH = new Float64Array(offsets[nFeatures]);
  const histC = new Int32Array(offsets[nFeatures]);
  const tree: BuildNode[] = [];

  const grow = (nodeRows: Int32Array, depth: number): number => {
    let G = 0;
    let H = 0;
    for (const r of nodeRows) {
      G += g[r];
      H += h[r];
    }
    const index = tree.length;
    const leafValue = fround((-params.learningRate * G) / (H + params.l2));
    tree.push({ feature: -1, threshold: 0, left: -1, right: -1, value: leafValue, cover: nodeRows.length, splitBin: -1 });
    if (depth >= params.maxDepth || nodeRows.length < 2 * params.minSamplesLeaf) return index;

    histG.fill(0);
    histH.fill(0);
    histC.fill(0);
    for (let i = 0; i < nodeRows.length; i++) {
      const r = nodeRows[i];
      const gr = g[r];
      const hr = h[r];
      for (let e = sparseStart[r]; e < sparseStart[r + 1]; e++) {
        const k = sparseSlot[e];
        histG[k] += gr;
        histH[k] += hr;
        histC[k]++;
      }
    }
    for (let f = 0; f < nFeatures; f++) {
      // Bin 0 is what the node's rows left over after the other bins.
      let sg = 0;
      let sh = 0;
      let sc = 0;
      for (let k = offsets[f] + 1; k < offsets[f + 1]; k++) {
        sg += histG[k];
        sh += histH[k];
        sc += histC[k];
      }
      histG[offsets[f]] = G - sg;
      histH[offsets[f]] = H - sh;
      histC[offsets[f]] = nodeRows.length - sc;
    }
    const parentScore = (G * G) / (H + params.l2);
    let best = { gain: 1e-12, feature: -1, bin: -1 }; // a split must strictly improve the loss
    for (const f of columns) {
      let gl = 0;
      let hl = 0;
      let cl = 0;
      for (let b = 0; b < data.cuts[f].length; b++) {
        const k = offsets[f] + b;
        gl += histG[k];
        hl += histH[k];
        cl += histC[k];
        const cr = nodeRows.length - cl;
        if (cl < params.minSamplesLeaf) continue;
        if (cr < params.minSamplesLeaf) break;
        const gr = G - gl;
        const hr = H - hl;
        const gain = (gl * gl) / (hl + params.l2) + (gr * gr) / (hr + params.l2) - parentScore;
        if (gain > best.gain) best = { gain, feature: f, bin: b };
      }
    }
    if (best.feature < 0) return index;

    const leftCount = histC.subarray(offsets[best.feature], offsets[best.feature] + best.bin + 1).reduce((a, c) => a + c, 0);
    const leftRows = new Int32Array(leftCount);
    const rightRows = new Int32Array(nodeRows.length - leftCount);
    for (let i = 0, l = 0, r = 0; i < nodeRows.length; i++) {
      const row = nodeRows[i];
      if (data.bins[row * nFeatures + best.feature] <= best.bin) leftRows[l++] = row;
      else rightRows[r++] = row;
    }
    const node = tree[index];
    node.feature = best.feature;
    node.splitBin = best.bin;
    node.threshold = data.cuts[best.feature][best.bin];
    node.left = grow(leftRows, depth + 1);
    node.right = grow(rightRows, depth + 1);
    const l = tree[node.left];
    const r = tree[node.right];
    node.value = (l.cover * l.value + r.cover * r.value) / node.cover; // informative only
    return index;
  };
  grow(rows, 0);
  return tree;
}

function logLossOf(F: Float64Array, y: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < F.length; i++) sum += max(F[i], 0) + log1p(exp(-abs(F[i]))) - y[i] * F[i];
  return sum / F.length;
}

export function fitGbdt(
  X: readonly Float64Array[],
  y: ArrayLike<number>,
  params: GbdtParams,
  seed: number,
  validation?: { X: readonly Float64Array[]; y: ArrayLike<number> },
): GbdtFit {
  const n = X.length;
  const nFeatures = X[0]?.length ?? 0;
  const cuts = Array.from({ length: nFeatures }, (_, f) => fitCuts(Float64Array.from(X, (row) => row[f]), params.maxBins));
  const train = toBinned(binRows(X, cuts), cuts, n);
  const valBins = validation ? binRows(validation.X, cuts) : new Uint8Array(0);

  let positives = 0;
  for (let i = 0; i < n; i++) positives += y[i];
  const prior = min(1 - 1e-6, max(1e-6, positives / max(1, n)));
  const baseScore = fround(log(prior / (1 - prior)));
  const F = new Float64Array(n).fill(baseScore);
  const Fval = new Float64Array(validation?.X.length ?? 0).fill(baseScore);
  const g = new Float64Array(n);
  const h = new Float64Array(n);
  const rng = mulberry32(seed);
  const all = Array.from({ length: n }, (_, i) => i);
  const sampleSize = max(1, round(params.subsample * n));
  const allColumns = Array.from({ length: nFeatures }, (_, f) => f);
  const nColumns = max(1, round((params.colsample ?? 1) * nFeatures));
  // Drawn from the same stream as the rows, after them; with colsample 1 nothing is drawn.
  const columns = () => Int32Array.from(nColumns < nFeatures ? shuffleInPlace(allColumns.slice(), rng).slice(0, nColumns) : allColumns).sort();

  const trees: BuildNode[][] = [];
  let best = { loss: Number.POSITIVE_INFINITY, rounds: 0 };
  for (let iteration = 0; iteration < params.maxRounds; iteration++) {
    for (let i = 0; i < n; i++) {
      const p = 1 / (1 + exp(-F[i]));
      g[i] = p - y[i];
      h[i] = max(p * (1 - p), 1e-12);
    }
    const rows = Int32Array.from(sampleSize < n ? shuffleInPlace(all.slice(), rng).slice(0, sampleSize) : all).sort();
    const tree = buildTree(rows, g, h, train, params, columns());
    trees.push(tree);
    for (let i = 0; i < n; i++) F[i] += predictBinned(tree, train.bins, nFeatures, i);
    if (!validation) continue;
    for (let i = 0; i < Fval.length; i++) Fval[i] += predictBinned(tree, valBins, nFeatures, i);
    const loss = logLossOf(Fval, validation.y);
    if (loss < best.loss - 1e-9) best = { loss, rounds: iteration + 1 };
    else if (iteration + 1 - best.rounds >= params.earlyStoppingRounds) break;
  }
  const rounds = validation ? best.rounds : trees.length;
  // Drop the training-only splitBin so the spec holds exactly the TreeNode fields.
  const kept = trees
    .slice(0, rounds)
    .map((t) => t.map(({ feature, threshold, left, right, value, cover }) => ({ feature, threshold, left, right, value, cover })));
  return { baseScore, trees: kept, rounds, bestValidationLogLoss: validation ? best.loss : undefined };
}

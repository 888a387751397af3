/**
 * The churn model as data: a JSON-serializable spec, the raw-row encoding, prediction and exact
 * per-feature explanations. Pure TypeScript so that training, inference and tests share one
 * definition; the ONNX export (training/adapters/onnx) reproduces `predictProbability` from a spec.
 */
import { CHURN_FEATURES, readCategorical, readNumeric, type ChurnRow } from './churn-features';
import { addEnsembleShap, compileEnsemble, predictTree, treeExpectedValue, type CompiledEnsemble, type TreeNode } from './tree-shap';

// Bound once: under jest's vm sandbox every lookup of the global `Math` costs ~40x, and these run in hot loops.
const { abs, exp, max } = Math;

export type { TreeNode } from './tree-shap';

export interface CategoricalEncoding {
  name: string;
  kind: 'categorical';
  /** One-hot columns, in this order; a value outside the list encodes as all zeros. */
  categories: string[];
}

export interface NumericEncoding {
  name: string;
  kind: 'numeric';
  /** Training median, float32-representable so a float32 graph imputes exactly the same value. */
  median: number;
  /** Mean and standard deviation of the imputed training values (used when standardized). */
  mean: number;
  std: number;
}

export type FeatureEncoding = CategoricalEncoding | NumericEncoding;

export interface ChurnEncoding {
  /** 'standardized': (x - mean) / std, for the linear model; 'raw': imputed value, for trees. */
  numeric: 'standardized' | 'raw';
  /** One entry per CHURN_FEATURES element, same order. */
  features: FeatureEncoding[];
}

export interface LogisticChurnModel {
  kind: 'logistic';
  encoding: ChurnEncoding;
  weights: number[];
  bias: number;
  /** Mean of each encoded column over the training rows: the baseline of the explanation. */
  encodedMeans: number[];
}

export interface GbdtChurnModel {
  kind: 'gbdt';
  encoding: ChurnEncoding;
  /** Initial log-odds (float32-representable, like every leaf value, to match onnxruntime). */
  baseScore: number;
  trees: TreeNode[][];
}

export type ChurnModelSpec = LogisticChurnModel | GbdtChurnModel;

export interface FeatureContribution {
  feature: string;
  /** Log-odds contribution relative to the expected log-odds. */
  contribution: number;
}

export interface ChurnExplanation {
  /** Baseline log-odds: logistic at the mean encoded row, trees under the cover distribution. */
  expectedLogit: number;
  logit: number;
  /** Every raw feature, sorted by |contribution| desc then name; they sum to logit - expectedLogit. */
  contributions: FeatureContribution[];
}

export function encodedWidth(encoding: ChurnEncoding): number {
  return encoding.features.reduce((n, f) => n + (f.kind === 'categorical' ? f.categories.length : 1), 0);
}

/** For each encoded column, the index of its raw feature in `encoding.features`. */
export function encodedColumnFeature(encoding: ChurnEncoding): Int32Array {
  const out = new Int32Array(encodedWidth(encoding));
  let col = 0;
  encoding.features.forEach((f, i) => {
    const width = f.kind === 'categorical' ? f.categories.length : 1;
    for (let k = 0; k < width; k++) out[col++] = i;
  });
  return out;
}

/** Human-readable names of the encoded columns, e.g. `Contract=Two year`, `tenure`. */
export function encodedColumnNames(encoding: ChurnEncoding): string[] {
  return encoding.features.flatMap((f) => (f.kind === 'categorical' ? f.categories.map((c) => `${f.name}=${c}`) : [f.name]));
}

export function encodeRow(encoding: ChurnEncoding, row: ChurnRow): Float64Array {
  const out = new Float64Array(encodedWidth(encoding));
  let col = 0;
  for (const f of encoding.features) {
    if (f.kind === 'categorical') {
      const hit = f.categories.indexOf(readCategorical(row[f.name]));
      if (hit >= 0) out[col + hit] = 1;
      col += f.categories.length;
    } else {
      const raw = readNumeric(row[f.name]);
      const value = Number.isNaN(raw) ? f.median : raw;
      out[col++] = encoding.numeric === 'standardized' ? (value - f.mean) / f.std : value;
    }
  }
  return out;
}

export function sigmoid(z: number): number {
  // Two branches so that exp never overflows.
  if (z >= 0) return 1 / (1 + exp(-z));
  const e = exp(z);
  return e / (1 + e);
}

/** Log-odds of churn from an already encoded row. */
export function predictEncodedLogit(spec: ChurnModelSpec, x: ArrayLike<number>): number {
  if (spec.kind === 'logistic') {
    let z = spec.bias;
    for (let j = 0; j < spec.weights.length; j++) z += spec.weights[j] * x[j];
    return z;
  }
  let z = spec.baseScore;
  for (const tree of spec.trees) z += predictTree(tree, x);
  return z;
}

export function predictLogit(spec: ChurnModelSpec, row: ChurnRow): number {
  return predictEncodedLogit(spec, encodeRow(spec.encoding, row));
}

export function predictProbability(spec: ChurnModelSpec, row: ChurnRow): number {
  return sigmoid(predictLogit(spec, row));
}

/** The log-odds an explanation starts from (see ChurnExplanation.expectedLogit). */
export function expectedLogit(spec: ChurnModelSpec): number {
  if (spec.kind === 'logistic') {
    return spec.weights.reduce((z, w, j) => z + w * spec.encodedMeans[j], spec.bias);
  }
  return spec.trees.reduce((z, tree) => z + treeExpectedValue(tree), spec.baseScore);
}

function byMagnitudeThenName(a: FeatureContribution, b: FeatureContribution): number {
  const diff = abs(b.contribution) - abs(a.contribution);
  if (diff !== 0) return diff;
  return a.feature < b.feature ? -1 : a.feature > b.feature ? 1 : 0;
}

/**
 * What explaining a spec needs besides the row, derived once per spec object (specs are not mutated
 * once loaded; a new model version is a new object). Building a gbdt's tables takes ~50 ms, once.
 */
interface Explainer {
  groupOf: Int32Array;
  names: string[];
  expectedLogit: number;
  /** Tree models only. */
  ensemble: CompiledEnsemble | null;
}

const explainers = new WeakMap<ChurnModelSpec, Explainer>();

function explainerOf(spec: ChurnModelSpec): Explainer {
  let e = explainers.get(spec);
  if (e === undefined) {
    const groupOf = encodedColumnFeature(spec.encoding);
    e = {
      groupOf,
      names: spec.encoding.features.map((f) => f.name),
      expectedLogit: expectedLogit(spec),
      ensemble: spec.kind === 'gbdt' ? compileEnsemble(spec.trees, groupOf) : null,
    };
    explainers.set(spec, e);
  }
  return e;
}

/**
 * Exact additive explanation in log-odds. Logistic: w_j * (x_j - mean_j) summed over the columns of
 * each raw feature. Trees: TreeSHAP with each raw feature as one player (see tree-shap.ts), from
 * per-spec lookup tables: this runs for every scored row, and the recursion (and the expected value)
 * per row cost ~1 ms on a 71-tree model against ~0.03 ms now (explain.bench.ts in training's tests).
 */
export function explainChurn(spec: ChurnModelSpec, row: ChurnRow): ChurnExplanation {
  const e = explainerOf(spec);
  const x = encodeRow(spec.encoding, row);
  const phi = new Float64Array(e.names.length);
  let logit: number;
  if (spec.kind === 'logistic') {
    for (let j = 0; j < x.length; j++) phi[e.groupOf[j]] += spec.weights[j] * (x[j] - spec.encodedMeans[j]);
    logit = predictEncodedLogit(spec, x);
  } else {
    logit = addEnsembleShap(e.ensemble!, x, phi, spec.baseScore);
  }
  const contributions = e.names.map((feature, i) => ({ feature, contribution: phi[i] })).sort(byMagnitudeThenName);
  return { expectedLogit: e.expectedLogit, logit, contributions };
}

/** The `topK` largest contributions (all of them when topK >= 19). */
export function explain(spec: ChurnModelSpec, row: ChurnRow, topK: number): FeatureContribution[] {
  return explainChurn(spec, row).contributions.slice(0, max(0, topK));
}

/** Checks that a spec's encoding covers CHURN_FEATURES in order and its parameters fit its width. */
export function checkChurnModelSpec(spec: ChurnModelSpec): string[] {
  const problems: string[] = [];
  const names = spec.encoding.features.map((f) => `${f.name}:${f.kind}`).join(',');
  if (names !== CHURN_FEATURES.map((f) => `${f.name}:${f.kind}`).join(',')) problems.push('encoding does not match CHURN_FEATURES');
  const width = encodedWidth(spec.encoding);
  if (spec.kind === 'logistic') {
    if (spec.weights.length !== width || spec.encodedMeans.length !== width) problems.push('weights do not match the encoding width');
  } else {
    spec.trees.forEach((tree, t) => {
      tree.forEach((n, i) => {
        if (n.feature >= width) problems.push(`tree ${t} node ${i}: feature out of range`);
        if (n.feature >= 0 && (n.left <= i || n.right <= i || n.right >= tree.length)) problems.push(`tree ${t} node ${i}: bad children`);
        if (!(n.cover > 0)) problems.push(`tree ${t} node ${i}: cover must be positive`); // TreeSHAP divides by it
      });
    });
  }
  return problems;
}

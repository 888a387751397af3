/**
 * The churn model as data: a JSON-serializable spec, prediction and exact per-feature explanations.
 * Pure TypeScript so that training, inference and tests share one definition; the ONNX export
 * (training/adapters/onnx) reproduces `predictProbability` from a spec.
 */
import { CHURN_FEATURES, type ChurnRow } from './churn-features';
import { encodeRow, encodedColumnFeature, encodedWidth, type ChurnEncoding } from './churn-encoding';
import { addEnsembleShap, compileEnsemble, predictTree, treeExpectedValue, type CompiledEnsemble, type TreeNode } from './tree-shap';

// Bound once: under jest's vm sandbox every lookup of the global `Math` costs ~40x, and these run in hot loops.
const { abs, exp, max } = Math;

export type { TreeNode } from './tree-shap';

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

/**
 * logit = logisticWeight * logistic logit + (1 - logisticWeight) * gbdt logit. Averaged in log-odds,
 * not in probability, so the model stays additive and its explanation is the same weighted sum of
 * the two exact explanations (Shapley values are linear in the model).
 */
export interface EnsembleChurnModel {
  kind: 'ensemble';
  logisticWeight: number;
  logistic: LogisticChurnModel;
  gbdt: GbdtChurnModel;
}

/** A model over one encoding. */
export type SingleChurnModel = LogisticChurnModel | GbdtChurnModel;
export type ChurnModelSpec = SingleChurnModel | EnsembleChurnModel;

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

export function sigmoid(z: number): number {
  // Two branches so that exp never overflows.
  if (z >= 0) return 1 / (1 + exp(-z));
  const e = exp(z);
  return e / (1 + e);
}

/** Log-odds of churn from a row already encoded with `spec.encoding`. */
export function predictEncodedLogit(spec: SingleChurnModel, x: ArrayLike<number>): number {
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
  if (spec.kind === 'ensemble') {
    return spec.logisticWeight * predictLogit(spec.logistic, row) + (1 - spec.logisticWeight) * predictLogit(spec.gbdt, row);
  }
  return predictEncodedLogit(spec, encodeRow(spec.encoding, row));
}

export function predictProbability(spec: ChurnModelSpec, row: ChurnRow): number {
  return sigmoid(predictLogit(spec, row));
}

/** The log-odds an explanation starts from (see ChurnExplanation.expectedLogit). */
export function expectedLogit(spec: ChurnModelSpec): number {
  if (spec.kind === 'ensemble') {
    return spec.logisticWeight * expectedLogit(spec.logistic) + (1 - spec.logisticWeight) * expectedLogit(spec.gbdt);
  }
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
  names: string[];
  expectedLogit: number;
  /** Adds the row's contribution per raw feature to `phi`; returns the row's log-odds. */
  addContributions: (row: ChurnRow, phi: Float64Array) => number;
}

const explainers = new WeakMap<ChurnModelSpec, Explainer>();

function buildExplainer(spec: ChurnModelSpec): Explainer {
  if (spec.kind === 'ensemble') {
    const w = spec.logisticWeight;
    const logistic = explainerOf(spec.logistic);
    const gbdt = explainerOf(spec.gbdt);
    return {
      names: logistic.names,
      expectedLogit: expectedLogit(spec),
      addContributions: (row, phi) => {
        const a = new Float64Array(phi.length);
        const b = new Float64Array(phi.length);
        const logit = w * logistic.addContributions(row, a) + (1 - w) * gbdt.addContributions(row, b);
        for (let i = 0; i < phi.length; i++) phi[i] += w * a[i] + (1 - w) * b[i];
        return logit;
      },
    };
  }
  const groupOf = encodedColumnFeature(spec.encoding);
  const names = spec.encoding.features.map((f) => f.name);
  if (spec.kind === 'logistic') {
    return {
      names,
      expectedLogit: expectedLogit(spec),
      addContributions: (row, phi) => {
        const x = encodeRow(spec.encoding, row);
        for (let j = 0; j < x.length; j++) phi[groupOf[j]] += spec.weights[j] * (x[j] - spec.encodedMeans[j]);
        return predictEncodedLogit(spec, x);
      },
    };
  }
  const ensemble: CompiledEnsemble = compileEnsemble(spec.trees, groupOf);
  return {
    names,
    expectedLogit: expectedLogit(spec),
    addContributions: (row, phi) => addEnsembleShap(ensemble, encodeRow(spec.encoding, row), phi, spec.baseScore),
  };
}

function explainerOf(spec: ChurnModelSpec): Explainer {
  let e = explainers.get(spec);
  if (e === undefined) {
    e = buildExplainer(spec);
    explainers.set(spec, e);
  }
  return e;
}

/**
 * Exact additive explanation in log-odds. Logistic: w_j * (x_j - mean_j) summed over the columns of
 * each raw feature. Trees: TreeSHAP with each raw feature as one player (see tree-shap.ts), from
 * per-spec lookup tables: this runs for every scored row, and the recursion (and the expected value)
 * per row cost ~1 ms on a 71-tree model against ~0.03 ms now (explain.bench.ts in training's tests).
 * Ensemble: the weighted sum of its two models' explanations.
 */
export function explainChurn(spec: ChurnModelSpec, row: ChurnRow): ChurnExplanation {
  const e = explainerOf(spec);
  const phi = new Float64Array(e.names.length);
  const logit = e.addContributions(row, phi);
  const contributions = e.names.map((feature, i) => ({ feature, contribution: phi[i] })).sort(byMagnitudeThenName);
  return { expectedLogit: e.expectedLogit, logit, contributions };
}

/** The `topK` largest contributions (all of them when topK >= 19). */
export function explain(spec: ChurnModelSpec, row: ChurnRow, topK: number): FeatureContribution[] {
  return explainChurn(spec, row).contributions.slice(0, max(0, topK));
}

/** Checks that a spec's encoding covers CHURN_FEATURES in order and its parameters fit its width. */
export function checkChurnModelSpec(spec: ChurnModelSpec): string[] {
  if (spec.kind === 'ensemble') {
    const problems: string[] = [];
    if (!(spec.logisticWeight >= 0 && spec.logisticWeight <= 1)) problems.push('logisticWeight must be in [0, 1]');
    if (spec.logistic?.kind !== 'logistic' || spec.gbdt?.kind !== 'gbdt') return [...problems, 'an ensemble needs a logistic and a gbdt model'];
    return [...problems, ...checkChurnModelSpec(spec.logistic).map((p) => `logistic: ${p}`), ...checkChurnModelSpec(spec.gbdt).map((p) => `gbdt: ${p}`)];
  }
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

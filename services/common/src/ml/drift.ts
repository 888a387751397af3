/**
 * Reference distributions and the Population Stability Index (PSI). Training stores, with each
 * model version, the distribution of every input feature and of the score on its training data;
 * monitoring bins live predictions the same way and compares. Shared here so both sides bin with
 * exactly the same edges.
 */

export interface NumericReference {
  name: string;
  kind: 'numeric';
  /** Inner bin edges (ascending); bins are (-inf, e0], (e0, e1], …, (e_last, +inf), plus a last bin for missing values. */
  edges: number[];
  proportions: number[];
}

export interface CategoricalReference {
  name: string;
  kind: 'categorical';
  /** Categories seen in training; anything else (and missing) falls in a final "other" bin. */
  categories: string[];
  proportions: number[];
}

export type FeatureReference = NumericReference | CategoricalReference;

export interface ReferenceProfile {
  /** Rows the reference was computed on. */
  n: number;
  features: FeatureReference[];
  score: NumericReference;
}

const isMissing = (v: unknown) => v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v)) || (typeof v === 'string' && v.trim() === '');

/** Quantile edges (deciles by default), deduplicated: a feature with few distinct values gets fewer bins. */
export function numericReference(name: string, values: readonly unknown[], bins = 10): NumericReference {
  const xs = values.filter((v) => !isMissing(v)).map(Number).filter(Number.isFinite).sort((a, b) => a - b);
  const edges: number[] = [];
  for (let k = 1; k < bins && xs.length > 0; k++) {
    const e = xs[Math.min(xs.length - 1, Math.floor((k * xs.length) / bins))];
    if (edges.length === 0 || e > edges[edges.length - 1]) edges.push(e);
  }
  const ref: NumericReference = { name, kind: 'numeric', edges, proportions: [] };
  ref.proportions = distribution(ref, values);
  return ref;
}

export function categoricalReference(name: string, values: readonly unknown[]): CategoricalReference {
  const categories = [...new Set(values.filter((v) => !isMissing(v)).map(String))].sort();
  const ref: CategoricalReference = { name, kind: 'categorical', categories, proportions: [] };
  ref.proportions = distribution(ref, values);
  return ref;
}

function binOf(ref: FeatureReference, v: unknown): number {
  if (ref.kind === 'categorical') {
    const i = isMissing(v) ? -1 : ref.categories.indexOf(String(v));
    return i === -1 ? ref.categories.length : i;
  }
  if (isMissing(v) || !Number.isFinite(Number(v))) return ref.edges.length + 1;
  const x = Number(v);
  let i = 0;
  while (i < ref.edges.length && x > ref.edges[i]) i++;
  return i;
}

/** Proportion of `values` in each bin of `ref`. */
export function distribution(ref: FeatureReference, values: readonly unknown[]): number[] {
  const size = ref.kind === 'categorical' ? ref.categories.length + 1 : ref.edges.length + 2;
  const counts = new Array<number>(size).fill(0);
  for (const v of values) counts[binOf(ref, v)] += 1;
  return counts.map((c) => (values.length ? c / values.length : 0));
}

/**
 * PSI = Σ (a − e) · ln(a / e) over bins. Empty bins get a floor of 1e-4 so that a category never
 * seen on one side gives a large, finite value. Conventional reading: < 0.1 stable, 0.1–0.2
 * moderate shift, > 0.2 significant.
 */
export function psi(expected: readonly number[], actual: readonly number[], floor = 1e-4): number {
  let sum = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.max(expected[i], floor);
    const a = Math.max(actual[i] ?? 0, floor);
    sum += (a - e) * Math.log(a / e);
  }
  return sum;
}

/** PSI of live `values` against a stored reference. */
export function psiAgainst(ref: FeatureReference, values: readonly unknown[]): number {
  return psi(ref.proportions, distribution(ref, values));
}

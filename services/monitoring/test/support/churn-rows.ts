import { categoricalReference, numericReference, type ReferenceProfile } from '@vigil/common';

/** A deterministic generator (LCG), so that every run sees the same rows. */
export function rng(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

const CONTRACTS = ['Month-to-month', 'One year', 'Two year'];
const INTERNET = ['DSL', 'Fiber optic', 'No'];

export interface ChurnShapedRow {
  Contract: string;
  InternetService: string;
  tenure: number;
  MonthlyCharges: number;
  TotalCharges: number | null;
  /** What the model answered. */
  probability: number;
}

export const FEATURES = ['Contract', 'InternetService', 'tenure', 'MonthlyCharges', 'TotalCharges'] as const;
const CATEGORICAL = new Set<string>(['Contract', 'InternetService']);

/** Churn-shaped rows: a first-month customer has no TotalCharges yet (a missing value). */
export function churnRows(n: number, seed: number): ChurnShapedRow[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => {
    const tenure = Math.floor(r() * 73);
    const MonthlyCharges = Math.round((18 + r() * 100) * 100) / 100;
    return {
      Contract: CONTRACTS[Math.floor(r() * r() * 3)], InternetService: INTERNET[Math.floor(r() * 3)], tenure, MonthlyCharges,
      TotalCharges: tenure === 0 ? null : tenure * MonthlyCharges, probability: r() * r(),
    };
  });
}

/** What the churn pipeline stores in config.reference, computed on these rows. */
export function referenceOf(rows: ChurnShapedRow[]): ReferenceProfile {
  return {
    n: rows.length,
    features: FEATURES.map((f) => (CATEGORICAL.has(f) ? categoricalReference(f, rows.map((r) => r[f])) : numericReference(f, rows.map((r) => r[f])))),
    score: numericReference('score', rows.map((r) => r.probability)),
  };
}

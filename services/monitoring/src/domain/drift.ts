import { psiAgainst, type ReferenceProfile } from '@vigil/common';
import type { Drift, LivePrediction } from './drift-ports';
import { labelIsPositive } from './model-classes';

/**
 * The positive-class probability of a stored output, the quantity training's score reference
 * describes: the type model stores the probability of the label it answered, so a "viral" answer
 * with 0.8 is P(bacterial) = 0.2; the others store the positive-class probability itself.
 */
export function positiveScore(modelName: string, row: Pick<LivePrediction, 'probability' | 'label'>): number | null {
  if (row.probability === null || !Number.isFinite(row.probability)) return null;
  return row.label !== null && labelIsPositive(modelName, row.label) === false ? 1 - row.probability : row.probability;
}

/**
 * PSI of each feature and of the score: the live rows binned with the reference's own edges (or
 * categories), against the training proportions (psiAgainst). A value a row lacks counts in the
 * reference's "missing" bin, as it did in training. Reading: < 0.1 stable, 0.1–0.2 moderate, > 0.2
 * significant shift.
 */
export function driftOf(modelName: string, reference: ReferenceProfile, rows: readonly LivePrediction[], capped = false): Drift {
  if (rows.length === 0) return { n: 0, capped, score: null, features: reference.features.map((f) => ({ feature: f.name, psi: null })) };
  return {
    n: rows.length,
    capped,
    score: psiAgainst(reference.score, rows.map((r) => positiveScore(modelName, r))),
    features: reference.features.map((f, j) => ({ feature: f.name, psi: psiAgainst(f, rows.map((r) => r.values[j] ?? null)) })),
  };
}

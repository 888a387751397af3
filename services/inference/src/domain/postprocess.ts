import { explain, type ChurnModelSpec, type ChurnRow } from '@vigil/common';
import type { ModelConfig, Tensor } from './ports';
import { rowOf } from './tensors';

export const EXPLANATION_TOP_K = 5;

/**
 * Turns a row of raw model outputs into the answer for that row. For churn: the probability,
 * the decision at the version's threshold, and the top contributions (exact for linear models,
 * TreeSHAP for trees), computed from the version's own spec so they match what it scored.
 */
export function postprocessRow(config: ModelConfig, inputRow: Record<string, unknown>, outputs: Tensor[], i: number): Record<string, unknown> {
  const raw = rowOf(outputs, i);
  if (config.pipeline !== 'churn') return raw;
  const probability = Number(raw.probability);
  return {
    probability,
    churn: probability >= config.threshold,
    threshold: config.threshold,
    explanation: explain(config.spec as ChurnModelSpec, inputRow as ChurnRow, EXPLANATION_TOP_K),
  };
}

/**
 * Called once when a version is loaded, before it serves: the first explanation of a tree model
 * builds its TreeSHAP tables (45–80 ms measured), which should not land on a client's request.
 */
export function prepareForServing(config: ModelConfig): void {
  if (config.pipeline === 'churn') explain(config.spec as ChurnModelSpec, {}, EXPLANATION_TOP_K);
}

import { answerFor, explain, type ChurnModelSpec, type ChurnRow } from '@vigil/common';
import type { ModelConfig, Tensor } from './ports';
import { rowOf } from './tensors';

export const EXPLANATION_TOP_K = 5;

/**
 * Turns a row of raw model outputs into the answer for that row. For churn: the probability,
 * the decision at the version's threshold, and the top contributions (exact for linear models,
 * TreeSHAP for trees), computed from the version's own spec so they match what it scored.
 */
export function postprocessRow(config: ModelConfig, inputRow: Record<string, unknown>, outputs: Tensor[], i: number): Record<string, unknown> {
  if (config.task && config.outputRoles) return taskAnswer(config, outputs, i);
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

/** A model that declares its task (registered ones always do): the answer its task defines. */
function taskAnswer(config: ModelConfig, outputs: Tensor[], i: number): Record<string, unknown> {
  const roles = config.outputRoles!;
  const rowValues = (name: string | undefined) => {
    const t = name ? outputs.find((o) => o.name === name) : undefined;
    if (!t) return undefined;
    const per = t.shape.slice(1).reduce((a, b) => a * b, 1);
    return t.data.slice(i * per, (i + 1) * per);
  };
  const probabilities = rowValues(roles.probabilities)?.map(Number);
  const answer = answerFor(config as Parameters<typeof answerFor>[0], {
    probabilities,
    label: rowValues(roles.label)?.[0],
    value: rowValues(roles.value)?.[0],
  });
  if (config.task === 'regression') return { value: answer.value };
  return {
    label: answer.label,
    probabilities: answer.probabilities,
    ...(config.task === 'binary-classification' ? { score: answer.score, positive: answer.positive, threshold: config.threshold } : { score: answer.score }),
    ...(answer.lowConfidence !== undefined ? { lowConfidence: answer.lowConfidence } : {}),
  };
}

import { answerFor, type TaskAnswer, type TaskConfig } from '@vigil/common';
import type { Outputs } from './ports';

/**
 * A run's outputs → one answer per row, by the same task rule inference answers with, so the
 * scores a reference or a holdout is built from are the scores the served version will give.
 */
export function answersOf(outputs: Outputs, config: TaskConfig): TaskAnswer[] {
  const roles = config.outputRoles ?? {};
  if (config.task === 'regression') return outputs[roles.value!].data.map((value) => answerFor(config, { value }));
  const probs = outputs[roles.probabilities!];
  const k = probs.shape[probs.shape.length - 1];
  return Array.from({ length: probs.shape[0] }, (_, i) => answerFor(config, { probabilities: probs.data.slice(i * k, (i + 1) * k).map(Number) }));
}

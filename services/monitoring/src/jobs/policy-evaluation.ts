import { createPollingWorker } from '@vigil/common';
import type { Logger } from 'pino';
import { evaluatePolicies, metricLabel, type EvaluatePoliciesDeps, type PolicyEvaluation } from '../domain/evaluate-policies';

export interface PolicyEvaluationOptions extends EvaluatePoliciesDeps {
  logger: Logger;
  pollMs: number;
}

/**
 * Background entry point for policies: every `pollMs`, one evaluation pass (every replica runs
 * one; the breach store keeps a breach to one per cooldown). `evaluate()` runs a pass now, for
 * tests and tools; it may overlap a timed one, with the same guarantee.
 */
export function createPolicyEvaluation(options: PolicyEvaluationOptions) {
  const log = options.logger.child({ component: 'policy-evaluation' });
  async function evaluate(): Promise<PolicyEvaluation[]> {
    const results = await evaluatePolicies(options);
    for (const r of results) {
      if (!r.breach) continue;
      const b = r.breach;
      log.warn(
        { policyId: r.policyId, modelId: `${b.modelName}:${b.modelVersion}`, metric: metricLabel(b), value: b.value, threshold: b.threshold, window: b.window,
          labelled: b.labelled, alertId: b.alertId, trainingJobId: b.trainingJobId },
        'policy breached',
      );
    }
    return results;
  }
  const worker = createPollingWorker(async () => void (await evaluate()), { pollMs: options.pollMs, logger: options.logger, name: 'policy-evaluation' });
  return { start: worker.start, close: worker.close, evaluate };
}

import { measureWindows } from './measure-quality';
import { qualityMetric, trainingPipelineFor, type PolicySpec } from './policy';
import type { BreachStore, NewBreach, PolicyBreach, PolicyStore, PsiSource, ServingVersions, StoredPolicy } from './policy-ports';
import type { QualityReader } from './ports';
import type { Quality } from './quality';
import { parseWindow, type Window } from './windows';

export const BREACH_ALERT_KIND = 'policy_breach';
export const RETRAINING_REQUESTED_BY = 'monitoring';

/** What was measured for a policy: its model's serving version over the policy's window. */
export interface Observation {
  modelVersion: string;
  quality: Quality;
  /** PSI of the policy's feature, when something computes it (null otherwise). */
  psi: number | null;
  /** The database's clock at the measurement; cooldowns are judged against it. */
  asOf: Date;
}

export type SkipReason =
  | 'no-predictions' // the model answered nothing in the window
  | 'too-few-labels' // fewer labelled predictions than the policy's min_labelled
  | 'metric-undefined' // e.g. AUC with one class only, or PSI nobody computes yet
  | 'cooldown' // breached, but it breached within its cooldown already
  | 'superseded'; // breached, but another pass (or replica) recorded it first, or the policy changed meanwhile

export type Decision =
  | { outcome: 'breach' | 'ok'; value: number; labelled: number; modelVersion: string }
  | { outcome: 'skipped'; reason: SkipReason; value: number | null; labelled: number; modelVersion: string | null };

const crosses = (spec: PolicySpec, value: number) => (spec.comparator === '<' ? value < spec.threshold : value > spec.threshold);

/**
 * Whether a policy is breached now. Label-based metrics are judged only on at least min_labelled
 * labels (a handful of labels says nothing); PSI needs none. A metric that is undefined is never a
 * breach. A breach within the cooldown of the previous one is skipped.
 */
export function decidePolicy(spec: PolicySpec, observation: Observation | null, lastBreachAt: Date | null): Decision {
  if (!observation) return { outcome: 'skipped', reason: 'no-predictions', value: null, labelled: 0, modelVersion: null };
  const { modelVersion, quality } = observation;
  const labelled = quality.labelled;
  const skip = (reason: SkipReason, value: number | null = null): Decision => ({ outcome: 'skipped', reason, value, labelled, modelVersion });
  if (spec.metric !== 'psi' && labelled < spec.minLabelled) return skip('too-few-labels');
  const value = spec.metric === 'psi' ? observation.psi : qualityMetric(spec.metric, quality);
  if (value === null || !Number.isFinite(value)) return skip('metric-undefined');
  if (!crosses(spec, value)) return { outcome: 'ok', value, labelled, modelVersion };
  if (lastBreachAt && observation.asOf.getTime() - lastBreachAt.getTime() < spec.cooldownSeconds * 1000) return skip('cooldown', value);
  return { outcome: 'breach', value, labelled, modelVersion };
}

const show = (n: number) => String(Number(n.toPrecision(4)));
export const metricLabel = (spec: Pick<PolicySpec, 'metric' | 'feature'>) => (spec.metric === 'psi' ? `psi(${spec.feature})` : spec.metric);

/** The alert text: metric, value, threshold, window and labels, and what was done about it. */
export function describeBreach(policy: StoredPolicy, decision: { value: number; labelled: number; modelVersion: string }, jobId: string | null): string {
  const side = policy.comparator === '<' ? 'below' : 'above';
  const action = jobId ? `; retraining requested (training job ${jobId})` : '';
  return `${policy.modelName} version ${decision.modelVersion}: ${metricLabel(policy)} = ${show(decision.value)} is ${side} the policy threshold `
    + `${policy.comparator} ${policy.threshold} over the last ${policy.window}, on ${decision.labelled} labelled predictions${action}`;
}

/** The breach row, its alert and (when the policy retrains and a pipeline exists) its training request. */
export function planBreach(policy: StoredPolicy, decision: { value: number; labelled: number; modelVersion: string }, newId: () => string): NewBreach {
  const pipeline = policy.retrain ? trainingPipelineFor(policy.modelName) : null;
  const jobId = pipeline ? newId() : null;
  const alertId = newId();
  return {
    breach: {
      id: newId(), policyId: policy.id, modelName: policy.modelName, modelVersion: decision.modelVersion, metric: policy.metric, feature: policy.feature,
      comparator: policy.comparator, value: decision.value, threshold: policy.threshold, window: policy.window, labelled: decision.labelled,
      severity: policy.severity, alertId, trainingJobId: jobId,
    },
    policyRevision: policy.revision,
    cooldownSeconds: policy.cooldownSeconds,
    alert: { alertId, kind: BREACH_ALERT_KIND, severity: policy.severity, message: describeBreach(policy, decision, jobId) },
    // An empty dataset id in the request means the latest dataset of the pipeline's kind.
    training: pipeline && jobId ? { jobId, pipeline, reason: `${BREACH_ALERT_KIND}:${policy.metric}`, requestedBy: RETRAINING_REQUESTED_BY } : null,
  };
}

export interface EvaluatePoliciesDeps {
  policies: PolicyStore;
  breaches: BreachStore;
  serving: ServingVersions;
  reader: QualityReader;
  /** Without it, psi policies are always 'metric-undefined'. */
  psi?: PsiSource;
  newId: () => string;
}

export type PolicyEvaluation = Decision & { policyId: string; modelName: string; breach?: PolicyBreach };

/**
 * One evaluation pass: every enabled policy against its model's serving version over the policy's
 * window (measured once per model and window). Safe to run in several replicas at once: the breach
 * store records a breach only once per cooldown, whoever gets there first.
 */
export async function evaluatePolicies(deps: EvaluatePoliciesDeps): Promise<PolicyEvaluation[]> {
  const policies = await deps.policies.listEnabled();
  if (policies.length === 0) return [];
  const serving = await deps.serving.latest([...new Set(policies.map((p) => p.modelName))]);
  // One read per model: its serving version in every window its policies use.
  const measured = new Map<string, { asOf: Date; byWindow: Map<number, Quality | undefined> }>();
  for (const [modelName, modelVersion] of serving) {
    const windowsMs = [...new Set(policies.filter((p) => p.modelName === modelName).map((p) => parseWindow(p.window).ms))];
    const { asOf, windows } = await measureWindows(deps.reader, { windowsMs, modelName, modelVersion });
    measured.set(modelName, { asOf, byWindow: new Map(windowsMs.map((ms, i) => [ms, windows[i][0]])) });
  }

  // PSI per model and window, read once per pass whatever the number of psi policies.
  const psiRead = new Map<string, Promise<Map<string, number | null> | null>>();
  const psiOf = (modelName: string, modelVersion: string, window: Window) => {
    const key = `${modelName}\u0000${window.ms}`;
    if (!psiRead.has(key)) psiRead.set(key, deps.psi ? deps.psi.psi({ modelName, modelVersion, window }) : Promise.resolve(null));
    return psiRead.get(key)!;
  };

  const results: PolicyEvaluation[] = [];
  for (const policy of policies) {
    const modelVersion = serving.get(policy.modelName);
    const window = parseWindow(policy.window);
    const model = measured.get(policy.modelName);
    const quality = model?.byWindow.get(window.ms);
    let observation: Observation | null = null;
    if (modelVersion !== undefined && model && quality) {
      const psi = policy.metric === 'psi' ? ((await psiOf(policy.modelName, modelVersion, window))?.get(policy.feature!) ?? null) : null;
      observation = { modelVersion, quality, psi, asOf: model.asOf };
    }
    const decision = decidePolicy(policy, observation, policy.lastBreachAt);
    const base = { policyId: policy.id, modelName: policy.modelName };
    if (decision.outcome !== 'breach') {
      results.push({ ...decision, ...base });
      continue;
    }
    const breach = await deps.breaches.record(planBreach(policy, decision, deps.newId));
    results.push(breach ? { ...decision, ...base, breach } : { ...decision, ...base, outcome: 'skipped', reason: 'superseded' });
  }
  return results;
}

import { VigilError } from '@vigil/common';
import {
  checkPolicy, DEFAULT_COOLDOWN_SECONDS, DEFAULT_MIN_LABELLED, parseCooldown, PSI_SCORE_FEATURE, trainingPipelineFor,
  type Comparator, type PolicyMetric, type PolicySeverity, type PolicySpec,
} from './policy';
import type { BreachStore, PolicyBreach, PolicyStore, StoredPolicy } from './policy-ports';
import type { Window } from './windows';

/** A policy as a request states it; what it leaves out takes the defaults below. */
export interface PolicyInput {
  metric: PolicyMetric;
  feature?: string;
  comparator: Comparator;
  threshold: number;
  window?: string;
  minLabelled?: number;
  /** Seconds, or an ISO 8601 duration such as PT6H. */
  cooldown?: number | string;
  severity?: PolicySeverity;
  enabled?: boolean;
  retrain?: boolean;
}

export interface ManagePoliciesDeps {
  store: PolicyStore;
  breaches: BreachStore;
  /** The windows monitoring measures (MONITORING_WINDOWS); a policy uses one of them. */
  windows: readonly Window[];
  newId: () => string;
}

/** The longest window by default: the steadiest numbers, as the performance endpoint does. */
const longest = (windows: readonly Window[]) => windows.reduce((a, b) => (b.ms > a.ms ? b : a));

function specOf(modelName: string, input: PolicyInput, windows: readonly Window[]): PolicySpec {
  const spec: PolicySpec = {
    metric: input.metric,
    feature: input.feature ?? (input.metric === 'psi' ? PSI_SCORE_FEATURE : null),
    comparator: input.comparator,
    threshold: input.threshold,
    window: input.window ?? longest(windows).name,
    minLabelled: input.minLabelled ?? DEFAULT_MIN_LABELLED,
    cooldownSeconds: input.cooldown === undefined ? DEFAULT_COOLDOWN_SECONDS : parseCooldown(input.cooldown),
    severity: input.severity ?? 'warning',
    enabled: input.enabled ?? true,
    // Retraining where a pipeline can do it, unless the request says otherwise.
    retrain: input.retrain ?? trainingPipelineFor(modelName) !== null,
  };
  checkPolicy(modelName, spec, windows);
  return spec;
}

const notFound = (id: string) => new VigilError('VIGIL_NOT_FOUND', `No policy ${id}`);

export async function createPolicy(modelName: string, input: PolicyInput, actor: string, deps: ManagePoliciesDeps): Promise<StoredPolicy> {
  const spec = specOf(modelName, input, deps.windows);
  return deps.store.create({ ...spec, id: deps.newId(), modelName, createdBy: actor });
}

/** PUT replaces the whole policy: what the request leaves out goes back to its default. */
export async function replacePolicy(id: string, input: PolicyInput, actor: string, deps: ManagePoliciesDeps): Promise<StoredPolicy> {
  const current = await deps.store.get(id);
  if (!current) throw notFound(id);
  const updated = await deps.store.update(id, specOf(current.modelName, input, deps.windows), actor);
  if (!updated) throw notFound(id);
  return updated;
}

/** Its breaches stay, with what the policy said when they happened. */
export async function deletePolicy(id: string, deps: ManagePoliciesDeps): Promise<void> {
  if (!(await deps.store.delete(id))) throw notFound(id);
}

export async function getPolicy(id: string, deps: ManagePoliciesDeps): Promise<StoredPolicy> {
  const policy = await deps.store.get(id);
  if (!policy) throw notFound(id);
  return policy;
}

export const listPolicies = (modelName: string, deps: ManagePoliciesDeps): Promise<StoredPolicy[]> => deps.store.list(modelName);

export const listBreaches = (filter: { modelName: string; policyId?: string; limit: number }, deps: ManagePoliciesDeps): Promise<PolicyBreach[]> =>
  deps.breaches.list(filter);

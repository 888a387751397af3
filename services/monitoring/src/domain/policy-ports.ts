/** What quality policies need from the outside world (kept apart from ports.ts, like drift-ports.ts). */
import type { Comparator, Policy, PolicyMetric, PolicySeverity, PolicySpec } from './policy';
import type { Window } from './windows';

/** A policy with the time of its latest breach (null: never breached). */
export interface StoredPolicy extends Policy {
  lastBreachAt: Date | null;
}

export interface PolicyStore {
  /** Stamps created/updated times with the database's clock; the creator is its first updater. */
  create(policy: Omit<Policy, 'createdAt' | 'updatedAt' | 'updatedBy' | 'revision'>): Promise<StoredPolicy>;
  /** Replaces what the policy says; null when there is no such policy. */
  update(id: string, spec: PolicySpec, actor: string): Promise<StoredPolicy | null>;
  delete(id: string): Promise<boolean>;
  get(id: string): Promise<StoredPolicy | null>;
  /** A model's policies, oldest first. */
  list(modelName: string): Promise<StoredPolicy[]>;
  listEnabled(): Promise<StoredPolicy[]>;
}

/** Which version of each model is serving now: the one that answered its latest prediction (absent without any). */
export interface ServingVersions {
  latest(modelNames: string[]): Promise<Map<string, string>>;
}

/**
 * PSI of a model version's score ('score') and input features over a window, by name; null where
 * there is nothing to compare (no reference distribution, no predictions in the window).
 */
export interface PsiSource {
  psi(query: { modelName: string; modelVersion: string; window: Window }): Promise<Map<string, number | null> | null>;
}

export interface PolicyBreach {
  id: string;
  /** Null once the policy has been deleted; the breach keeps what it said. */
  policyId: string | null;
  modelName: string;
  modelVersion: string;
  metric: PolicyMetric;
  feature: string | null;
  comparator: Comparator;
  value: number;
  threshold: number;
  window: string;
  labelled: number;
  severity: PolicySeverity;
  alertId: string;
  trainingJobId: string | null;
  breachedAt: Date;
}

/** A breach to record, with the events that announce it. */
export interface NewBreach {
  breach: Omit<PolicyBreach, 'breachedAt' | 'policyId'> & { policyId: string };
  /** The revision of the policy as evaluated; a policy changed since is not breached on stale terms. */
  policyRevision: number;
  cooldownSeconds: number;
  alert: { alertId: string; kind: string; severity: PolicySeverity; message: string };
  /** The TrainingRequested to publish; null when the policy does not retrain. */
  training: { jobId: string; pipeline: string; reason: string; requestedBy: string } | null;
}

export interface BreachStore {
  /**
   * In one transaction, holding the policy's row lock (so replicas take turns): unless the policy
   * was changed, disabled or deleted, or breached within its cooldown, inserts the breach and stages
   * its AlertRaised and TrainingRequested in the outbox. Returns the breach, or null when it did not.
   */
  record(newBreach: NewBreach): Promise<PolicyBreach | null>;
  /** Newest first. */
  list(filter: { modelName: string; policyId?: string; limit: number }): Promise<PolicyBreach[]>;
}

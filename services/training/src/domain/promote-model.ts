import { VigilError } from '@vigil/common';
import type { DatasetReader, Deployment, ImageHoldoutScorer, ModelInspector, ModelVersion, RegistryStore, VersionFiles } from './ports';
import { compareRegistered } from './registration-holdout';
import { compareOnHoldout, type HoldoutComparison } from './compare-on-holdout';

export interface PromoteDeps {
  registry: RegistryStore;
  datasets: DatasetReader;
  /** Scores image holdouts (xray models). */
  images?: ImageHoldoutScorer;
  /** Largest ROC AUC drop against the live version that is still accepted. */
  margin: number;
  /** Registered versions' holdouts: their files and a runtime to score them. */
  registered?: { files: VersionFiles; inspector: ModelInspector };
}

export interface PromoteInput {
  name: string;
  version: number;
  actor: string;
  force?: boolean;
  reason?: string;
}

export interface PromoteResult {
  deployment: Deployment;
  /** A pipeline version's ROC AUCs, or a registered version's holdout metric (roc_auc, accuracy, r2). */
  comparison: HoldoutComparison | RegisteredComparison | null;
}

async function requireVersion(registry: RegistryStore, name: string, version: number): Promise<ModelVersion> {
  const found = await registry.version(name, version);
  if (!found) throw new VigilError('VIGIL_NOT_FOUND', `Model ${name} has no version ${version}`);
  return found;
}

/**
 * Makes a version live. The gate: on the candidate's own holdout rows, the candidate's ROC AUC may
 * not fall below the live version's by more than `margin`. Forcing past the gate needs a reason,
 * which the deployment history keeps.
 */
export async function promoteModel(input: PromoteInput, deps: PromoteDeps): Promise<PromoteResult> {
  if (input.force && !input.reason?.trim()) {
    throw new VigilError('VIGIL_VALIDATION', 'A forced promotion needs a reason');
  }
  const candidate = await requireVersion(deps.registry, input.name, input.version);
  const live = await deps.registry.live(input.name);
  if (live?.version === input.version) {
    throw new VigilError('VIGIL_CONFLICT', `Version ${input.version} of ${input.name} is already live`);
  }
  let comparison: HoldoutComparison | RegisteredComparison | null = null;
  const registered = candidate.config.source === 'registered';
  if (registered) {
    comparison = await gateRegistered(input, candidate, live, deps);
  } else if (live) {
    const liveVersion = await requireVersion(deps.registry, input.name, live.version);
    comparison = await compareOnHoldout(candidate, liveVersion, deps);
    const drop = comparison.liveRocAuc - comparison.candidateRocAuc;
    if (drop > deps.margin && !input.force) {
      throw new VigilError(
        'VIGIL_CONFLICT',
        `Refused: version ${input.version} scores ROC AUC ${comparison.candidateRocAuc.toFixed(4)} on its holdout, ` +
          `${drop.toFixed(4)} below live version ${live.version} (${comparison.liveRocAuc.toFixed(4)}); the margin is ${deps.margin}. ` +
          'Force with a reason to promote anyway.',
        { details: { comparison, margin: deps.margin } },
      );
    }
  }
  const deployment = await deps.registry.deploy(
    {
      name: input.name,
      version: input.version,
      previousVersion: live?.version ?? null,
      action: 'promote',
      actor: input.actor,
      reason: input.reason?.trim() || null,
      forced: Boolean(input.force),
    },
    live?.version ?? null,
    candidate.sha256,
  );
  return { deployment, comparison };
}

type RegisteredComparison = Awaited<ReturnType<typeof compareRegistered>>;

/**
 * The gate for a version registered from outside: on its own holdout (uploaded with it), against
 * the live version when that one answers by task too. Without a holdout, or against a pipeline's
 * version, nothing shows it is fit to serve: a person vouches for it (force, with a reason).
 */
async function gateRegistered(input: PromoteInput, candidate: ModelVersion, live: Deployment | null, deps: PromoteDeps): Promise<RegisteredComparison | null> {
  const vouch = (why: string) => {
    if (input.force) return null;
    throw new VigilError('VIGIL_CONFLICT', `Version ${input.version} of ${input.name} ${why}; promote with force and a reason`, {
      details: { reason: candidate.config.holdoutFile ? 'not-comparable' : 'no-holdout' },
    });
  };
  if (!candidate.config.holdoutFile || !deps.registered) return vouch('was registered without a holdout, so the promotion gate has nothing to compare');
  if (!live) return null;
  const liveVersion = await requireVersion(deps.registry, input.name, live.version);
  if (!liveVersion.config.outputRoles || liveVersion.config.task !== candidate.config.task) {
    return vouch(`cannot be compared with live version ${live.version}, which does not answer the same task by its outputs`);
  }
  const comparison = await compareRegistered(candidate, liveVersion, deps.registered);
  const drop = comparison.live - comparison.candidate;
  if (drop > deps.margin && !input.force) {
    throw new VigilError(
      'VIGIL_CONFLICT',
      `Refused: version ${input.version} scores ${comparison.metric} ${comparison.candidate.toFixed(4)} on its holdout, ` +
        `${drop.toFixed(4)} below live version ${live.version} (${comparison.live.toFixed(4)}); the margin is ${deps.margin}. Force with a reason to promote anyway.`,
      { details: { comparison, margin: deps.margin } },
    );
  }
  return comparison;
}

/** Brings back the version that was live before the current one. */
export async function rollbackModel(
  input: { name: string; actor: string; reason?: string },
  deps: Pick<PromoteDeps, 'registry'>,
): Promise<Deployment> {
  const live = await deps.registry.live(input.name);
  if (!live) throw new VigilError('VIGIL_NOT_FOUND', `Model ${input.name} has no live version`);
  if (live.previousVersion === null) {
    throw new VigilError('VIGIL_CONFLICT', `Model ${input.name} has no earlier live version to roll back to`);
  }
  const previous = await requireVersion(deps.registry, input.name, live.previousVersion);
  return deps.registry.deploy(
    {
      name: input.name,
      version: previous.version,
      previousVersion: live.version,
      action: 'rollback',
      actor: input.actor,
      reason: input.reason?.trim() || null,
      forced: false,
    },
    live.version,
    previous.sha256,
  );
}

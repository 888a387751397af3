import { VigilError } from '@vigil/common';
import type { DatasetReader, Deployment, ImageHoldoutScorer, ModelVersion, RegistryStore } from './ports';
import { compareOnHoldout, type HoldoutComparison } from './compare-on-holdout';

export interface PromoteDeps {
  registry: RegistryStore;
  datasets: DatasetReader;
  /** Scores image holdouts (xray models). */
  images?: ImageHoldoutScorer;
  /** Largest ROC AUC drop against the live version that is still accepted. */
  margin: number;
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
  comparison: HoldoutComparison | null;
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
  let comparison: HoldoutComparison | null = null;
  // A version registered from outside came with no holdout Vigil can score: nothing shows it is
  // fit to serve, so a person vouches for it (force, with the reason kept in the history).
  const unproven = candidate.config.source === 'registered';
  if (unproven && !input.force) {
    throw new VigilError('VIGIL_CONFLICT', `Version ${input.version} of ${input.name} was registered without a holdout, so the promotion gate has nothing to compare; promote with force and a reason`, {
      details: { reason: 'no-holdout' },
    });
  }
  if (live && !unproven) {
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

import { VigilError } from '@vigil/common';
import type { Deployment, RegistryStore } from './ports';

export interface DecommissionInput {
  name: string;
  actor: string;
  reason: string;
}

/**
 * Takes a model out of service: appends a 'decommission' deployment (with its ModelDeployed
 * event), after which the model has no live version and inference unloads it. Nothing is deleted:
 * versions, artifacts and the audit trail stay, and promoting any version makes the model live
 * again. The reason is required: the history is what explains later why the model stopped answering.
 */
export async function decommissionModel(input: DecommissionInput, deps: { registry: RegistryStore }): Promise<Deployment> {
  const reason = input.reason.trim();
  if (!reason) throw new VigilError('VIGIL_VALIDATION', 'Decommissioning needs a reason');
  const live = await deps.registry.live(input.name);
  if (!live) {
    if ((await deps.registry.versions(input.name)).length === 0) throw new VigilError('VIGIL_NOT_FOUND', `No model named ${input.name}`);
    throw new VigilError('VIGIL_CONFLICT', `Model ${input.name} has no live version (never deployed, or decommissioned already)`);
  }
  return deps.registry.deploy(
    { name: input.name, version: live.version, previousVersion: live.version, action: 'decommission', actor: input.actor, reason, forced: false },
    live.version,
    '',
  );
}

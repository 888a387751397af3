import { isVigilError } from '@vigil/common';
import type { ModelVersion, TrainingJob } from './ports';
import { promoteModel, type PromoteDeps } from './promote-model';

export type AutoPromotion = { name: string; version: number; outcome: 'promoted' | 'awaiting-approval' | 'refused-by-gate'; detail?: string };

/**
 * After a retraining job (one not asked for by a person): each new version goes live on its own
 * only where the model's settings say auto-promote, and even then only through the promotion gate
 * against the live version. Otherwise it waits for approval (GET /v1/models/{name}/versions shows it).
 */
export async function autoPromote(job: TrainingJob, versions: ModelVersion[], deps: PromoteDeps): Promise<AutoPromotion[]> {
  if (job.reason === 'api') return [];
  const results: AutoPromotion[] = [];
  for (const v of versions) {
    if (!(await deps.registry.settings(v.name)).autoPromote) {
      results.push({ name: v.name, version: v.version, outcome: 'awaiting-approval' });
      continue;
    }
    try {
      await promoteModel({ name: v.name, version: v.version, actor: 'auto-promotion', reason: `retrained: ${job.reason}` }, deps);
      results.push({ name: v.name, version: v.version, outcome: 'promoted' });
    } catch (err) {
      if (!isVigilError(err) || err.code !== 'VIGIL_CONFLICT') throw err;
      results.push({ name: v.name, version: v.version, outcome: 'refused-by-gate', detail: err.message });
    }
  }
  return results;
}

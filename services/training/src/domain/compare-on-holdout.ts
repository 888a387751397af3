import { predictProbability, VigilError, type ChurnModelSpec } from '@vigil/common';
import { rocAuc } from './churn/metrics';
import type { DatasetReader, ModelVersion } from './ports';

export interface HoldoutComparison {
  holdoutDatasetId: string;
  rows: number;
  candidateRocAuc: number;
  liveRocAuc: number;
}

/**
 * Scores the candidate's holdout rows (never seen by the candidate in training) with both the
 * candidate and the live version, so the promotion gate compares like with like.
 */
export async function compareOnHoldout(candidate: ModelVersion, live: ModelVersion, datasets: DatasetReader): Promise<HoldoutComparison> {
  const { datasetId, ids } = candidate.config.holdout;
  const dataset = await datasets.churnDataset(datasetId);
  if (!dataset) throw new VigilError('VIGIL_UNPROCESSABLE', `Holdout dataset ${datasetId} of the candidate is gone`);
  const wanted = new Set(ids);
  const rows = dataset.rows.filter((r) => wanted.has(String(r.customerID)));
  if (rows.length === 0) throw new VigilError('VIGIL_UNPROCESSABLE', 'The candidate has no holdout rows to compare on');
  const labels = rows.map((r) => (r.Churn === 'Yes' ? 1 : 0));
  const score = (v: ModelVersion) => rows.map((r) => predictProbability(v.config.spec as ChurnModelSpec, r));
  return {
    holdoutDatasetId: datasetId,
    rows: rows.length,
    candidateRocAuc: rocAuc(score(candidate), labels),
    liveRocAuc: rocAuc(score(live), labels),
  };
}

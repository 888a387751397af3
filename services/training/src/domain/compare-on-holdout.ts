import { predictProbability, VigilError, type ChurnModelSpec } from '@vigil/common';
import { rocAuc } from './churn/metrics';
import type { DatasetReader, ImageHoldoutScorer, ModelVersion } from './ports';

export interface HoldoutComparison {
  holdoutDatasetId: string;
  rows: number;
  candidateRocAuc: number;
  liveRocAuc: number;
}

export interface CompareDeps {
  datasets: DatasetReader;
  /** Needed for image models only. */
  images?: ImageHoldoutScorer;
}

/** Image holdouts are capped: the gate needs a stable AUC, not every image (≈15 ms each to embed). */
export const MAX_HOLDOUT_IMAGES = 1500;

async function churnComparison(candidate: ModelVersion, live: ModelVersion, datasets: DatasetReader): Promise<HoldoutComparison> {
  const { datasetId, ids } = candidate.config.holdout;
  const dataset = await datasets.churnDataset(datasetId);
  if (!dataset) throw new VigilError('VIGIL_UNPROCESSABLE', `Holdout dataset ${datasetId} of the candidate is gone`);
  const wanted = new Set(ids);
  const rows = dataset.rows.filter((r) => wanted.has(String(r.customerID)));
  if (rows.length === 0) throw new VigilError('VIGIL_UNPROCESSABLE', 'The candidate has no holdout rows to compare on');
  const labels = rows.map((r) => (r.Churn === 'Yes' ? 1 : 0));
  const score = (v: ModelVersion) => rows.map((r) => predictProbability(v.config.spec as ChurnModelSpec, r));
  return { holdoutDatasetId: datasetId, rows: rows.length, candidateRocAuc: rocAuc(score(candidate), labels), liveRocAuc: rocAuc(score(live), labels) };
}

async function imageComparison(candidate: ModelVersion, live: ModelVersion, deps: CompareDeps): Promise<HoldoutComparison> {
  const { datasetId, ids } = candidate.config.holdout;
  if (!deps.images) throw new VigilError('VIGIL_INTERNAL', 'No image scorer configured for the promotion gate');
  const dataset = await deps.datasets.xrayDataset(datasetId);
  if (!dataset) throw new VigilError('VIGIL_UNPROCESSABLE', `Holdout dataset ${datasetId} of the candidate is gone`);
  const labelOf = new Map(dataset.images.map((im) => [im.sha256, im]));
  // xray-type's positive class is bacterial; xray-pneumonia's is pneumonia.
  const positive = candidate.name === 'xray-type' ? (s: string) => labelOf.get(s)!.subtype === 'bacterial' : (s: string) => labelOf.get(s)!.label === 'PNEUMONIA';
  const images = [...new Set(ids)].filter((s) => labelOf.has(s)).slice(0, MAX_HOLDOUT_IMAGES);
  if (images.length === 0) throw new VigilError('VIGIL_UNPROCESSABLE', 'The candidate has no holdout images to compare on');
  const labels = images.map((s) => (positive(s) ? 1 : 0));
  const [c, l] = await deps.images.score([candidate, live].map((v) => ({ name: v.name, version: v.version })), images);
  return { holdoutDatasetId: datasetId, rows: images.length, candidateRocAuc: rocAuc(c, labels), liveRocAuc: rocAuc(l, labels) };
}

/**
 * Scores the candidate's holdout (rows or images never seen by the candidate in training) with both
 * the candidate and the live version, so the promotion gate compares like with like.
 */
export async function compareOnHoldout(candidate: ModelVersion, live: ModelVersion, deps: CompareDeps): Promise<HoldoutComparison> {
  return candidate.config.pipeline === 'xray' ? imageComparison(candidate, live, deps) : churnComparison(candidate, live, deps.datasets);
}

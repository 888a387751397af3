import { VigilError } from '@vigil/common';
import type { ModelRef, PredictionRecord, StudyPredictions, StudyStore, XrayStudy } from './study-ports';

/** inference's model for the first stage; its audit row carries the second stage's result. */
export const PNEUMONIA_MODEL = 'xray-pneumonia';

/** The answer of POST /v1/xray/predict, rebuilt from the audit row of a study's prediction. */
export interface StudyPrediction {
  predictionId: string;
  imageSha256: string;
  pneumonia: { probability: number; positive: boolean; threshold: number; model: ModelRef };
  type?: { label: string; probability: number; model: ModelRef };
  confidence: 'high' | 'low';
  alert: boolean;
}

export interface StudyView {
  study: XrayStudy;
  status: 'pending' | 'done';
  prediction: StudyPrediction | null;
}

/** GET /v1/xray/studies/{id}: the study, and its prediction once inference has made it. */
export async function getStudy(id: string, deps: { store: StudyStore; predictions: StudyPredictions }): Promise<StudyView> {
  const study = await deps.store.find(id);
  if (!study) throw new VigilError('VIGIL_NOT_FOUND', `No X-ray study ${id}`);
  const record = await deps.predictions.find(id, PNEUMONIA_MODEL);
  const prediction = record ? toPrediction(record) : null;
  return { study, status: prediction ? 'done' : 'pending', prediction };
}

function toPrediction(record: PredictionRecord): StudyPrediction {
  const output = record.output as {
    probability: number; positive: boolean; threshold: number; confidence: 'high' | 'low';
    type?: { label: string; probability: number; model: ModelRef } | null;
  };
  return {
    predictionId: record.id,
    imageSha256: record.imageSha256,
    pneumonia: { probability: output.probability, positive: output.positive, threshold: output.threshold, model: record.model },
    ...(output.type ? { type: output.type } : {}),
    confidence: output.confidence,
    // inference raises an alert exactly when the result is low-confidence (predict-xray.ts).
    alert: output.confidence === 'low',
  };
}

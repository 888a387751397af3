import { decodeEvent, timestampDate, TOPICS, VigilError, type BatchInboxHandler } from '@vigil/common';
import { createPredictionStore } from '../adapters/postgres/prediction-store';
import type { PredictionEvent } from '../domain/model-classes';
import { recordPredictions } from '../domain/record-predictions';

export const PREDICTION_CONSUMER = 'monitoring.prediction-made';

/** vigil.prediction.made.v1 → monitoring.predictions, a fetched batch at a time in the batch inbox transaction. */
export const handlePredictionsMade: BatchInboxHandler = async (messages, tx) => {
  const events = messages.map((message): PredictionEvent => {
    let e;
    try {
      e = decodeEvent(TOPICS.predictionMade, message.value);
    } catch (err) {
      throw new VigilError('VIGIL_VALIDATION', `undecodable PredictionMade: ${(err as Error).message}`, { cause: err });
    }
    return {
      predictionId: e.predictionId, modelName: e.modelName, modelVersion: e.modelVersion, score: e.score, label: e.label,
      output: e.output ?? {}, entityId: e.entityId || null,
      createdAt: e.meta?.occurredAt ? timestampDate(e.meta.occurredAt) : new Date(),
    };
  });
  await recordPredictions(events, createPredictionStore(tx));
};

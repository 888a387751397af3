import { randomUUID } from 'node:crypto';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { encodeEvent, newMeta, TOPICS, type OutgoingMessage } from '@vigil/common';

export interface PredictionSpec {
  predictionId?: string;
  modelName: string;
  modelVersion: string;
  score: number;
  /** Output fields as inference puts them in the event: churn, positive, or label + probability. */
  output: Record<string, string | number | boolean | null>;
  label?: string;
  entityId?: string;
  at?: Date;
}

/** A PredictionMade as inference's outbox relay publishes it, on `topic` (a test's own, or the real one). */
export function predictionMessage(topic: string, spec: PredictionSpec): { predictionId: string; message: OutgoingMessage } {
  const meta = newMeta('inference');
  if (spec.at) meta.occurredAt = timestampFromDate(spec.at);
  const predictionId = spec.predictionId ?? randomUUID();
  const value = encodeEvent(TOPICS.predictionMade, {
    meta, predictionId, modelName: spec.modelName, modelVersion: spec.modelVersion, modelSha256: 'ab'.repeat(32), inputSha256: 'cd'.repeat(32),
    output: spec.output, score: spec.score, label: spec.label ?? '', latencyMs: 3.5, clientName: 'test-client', entityId: spec.entityId,
  });
  return {
    predictionId,
    message: { topic, key: spec.modelName, value: Buffer.from(value), headers: { 'vigil-event-id': meta.eventId, 'vigil-producer': 'inference' } },
  };
}

/** An X-ray pneumonia prediction as predict-xray.ts records it. */
export const pneumonia = (modelVersion: string, probability: number, over: Partial<PredictionSpec> = {}): PredictionSpec => ({
  modelName: 'xray-pneumonia', modelVersion, score: probability, output: { probability, positive: probability >= 0.5, threshold: 0.5, confidence: 'high', type: null }, ...over,
});

/** A churn score as score-churn.ts records it. */
export const churn = (modelVersion: string, customerID: string, probability: number, at: Date): PredictionSpec => ({
  modelName: 'churn', modelVersion, score: probability, label: probability >= 0.5 ? 'churn' : 'no-churn', output: { probability, churn: probability >= 0.5 },
  entityId: customerID, at,
});

/** A FeedbackReceived as ingestion's POST /v1/feedback publishes it, on the real topic. */
export function feedbackEvent(fields: { predictionId?: string; entityId?: string; label: string }): { eventId: string; message: OutgoingMessage } {
  const meta = newMeta('ingestion');
  const value = encodeEvent(TOPICS.feedbackReceived, { meta, predictionId: fields.predictionId ?? '', entityId: fields.entityId ?? '', label: fields.label, source: 'api', clientName: 'crm' });
  return {
    eventId: meta.eventId,
    message: {
      topic: TOPICS.feedbackReceived, key: fields.predictionId || fields.entityId || '', value: Buffer.from(value),
      headers: { 'vigil-event-id': meta.eventId, 'vigil-producer': 'ingestion' },
    },
  };
}

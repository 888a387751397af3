import { randomUUID } from 'node:crypto';
import type { PredictionEvent } from '../../src/domain/model-classes';
import { parseReviewRates, pickForReview, sampleFraction } from '../../src/domain/sample-reviews';

const event = (over: Partial<PredictionEvent> = {}): PredictionEvent => ({
  predictionId: randomUUID(), modelName: 'churn', modelVersion: '3', score: 0.3, label: 'no-churn',
  output: { probability: 0.3, churn: false }, entityId: 'C-1', createdAt: new Date('2025-01-01T00:00:00Z'), ...over,
});
const confident = (id: string) => event({ predictionId: id, modelName: 'xray-pneumonia', label: '', output: { probability: 0.9, positive: true, confidence: 'high' } });

describe('sampling predictions for human review', () => {
  test('the choice depends on the prediction id alone: every replica and every redelivery picks the same ones', () => {
    const events = Array.from({ length: 2000 }, () => event());
    const policy = { defaultRate: 0.1, rates: {} };
    const first = pickForReview(events, policy).map((c) => c.predictionId);
    const again = pickForReview([...events].reverse(), policy).map((c) => c.predictionId);
    expect(new Set(again)).toEqual(new Set(first));
    // Case does not matter: a UUID written in capitals is the same prediction.
    expect(sampleFraction(events[0].predictionId.toUpperCase())).toBe(sampleFraction(events[0].predictionId));
  });

  test('about the configured share of confident predictions is sampled', () => {
    const events = Array.from({ length: 20_000 }, () => event());
    const picked = pickForReview(events, { defaultRate: 0.02, rates: {} });
    // 400 expected; 4 standard deviations is ±80.
    expect(picked.length).toBeGreaterThan(320);
    expect(picked.length).toBeLessThan(480);
    expect(picked.every((c) => c.reason === 'sampled')).toBe(true);
  });

  test('a low-confidence prediction always goes in, whatever the rate; a confident one only when sampled', () => {
    const low = event({ modelName: 'xray-pneumonia', output: { probability: 0.52, positive: true, confidence: 'low' } });
    const ids = Array.from({ length: 200 }, () => randomUUID());
    const picked = pickForReview([low, ...ids.map(confident)], { defaultRate: 0, rates: {} });
    expect(picked).toEqual([expect.objectContaining({ predictionId: low.predictionId, reason: 'low_confidence' })]);
  });

  test('a model’s own rate overrides the default', () => {
    const events = Array.from({ length: 500 }, () => event());
    expect(pickForReview(events, { defaultRate: 0, rates: { churn: 1 } })).toHaveLength(500);
    expect(pickForReview(events, { defaultRate: 1, rates: { churn: 0 } })).toHaveLength(0);
  });

  test('the queued candidate carries what the model answered, as P(positive class)', () => {
    const viral = event({ modelName: 'xray-type', label: 'viral', score: 0.8, output: { label: 'viral', probability: 0.8, confidence: 'low' } });
    const [candidate] = pickForReview([viral], { defaultRate: 0, rates: {} });
    expect(candidate).toMatchObject({ modelName: 'xray-type', modelVersion: '3', predictedLabel: 'viral', entityId: 'C-1', reason: 'low_confidence' });
    expect(candidate.score).toBeCloseTo(0.2);
  });

  test('per-model rates are read from "name=rate,…" and anything else is refused', () => {
    expect(parseReviewRates('churn=0.005,xray-pneumonia=0.1,xray-type=1')).toEqual({ churn: 0.005, 'xray-pneumonia': 0.1, 'xray-type': 1 });
    expect(parseReviewRates(undefined)).toEqual({});
    expect(() => parseReviewRates('churn=1.5')).toThrow(/not like/);
    expect(() => parseReviewRates('churn:0.1')).toThrow(/not like/);
  });
});

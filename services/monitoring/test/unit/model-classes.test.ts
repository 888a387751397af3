import { interpretPrediction, labelIsPositive, type PredictionEvent } from '../../src/domain/model-classes';

const event = (over: Partial<PredictionEvent>): PredictionEvent => ({
  predictionId: 'p', modelName: 'churn', modelVersion: '1', score: 0.8, label: '', output: {}, entityId: null, createdAt: new Date(0), ...over,
});

describe('labelIsPositive', () => {
  test.each([
    ['xray-pneumonia', 'pneumonia', true], ['xray-pneumonia', 'bacterial', true], ['xray-pneumonia', 'viral', true], ['xray-pneumonia', true, true],
    ['xray-pneumonia', 'normal', false], ['xray-pneumonia', 'NORMAL', false], ['xray-pneumonia', false, false],
    ['xray-type', 'bacterial', true], ['xray-type', 'viral', false], ['xray-type', 'normal', null], ['xray-type', 'pneumonia', null], ['xray-type', true, null],
    ['churn', true, true], ['churn', 'Yes', true], ['churn', 'churned', true], ['churn', false, false], ['churn', 'No', false], ['churn', 'normal', null],
    ['some-new-model', 'positive', true], ['some-new-model', 'no', false], ['some-new-model', 'maybe', null],
  ])('%s: %p → %p', (model, label, expected) => {
    expect(labelIsPositive(model, label)).toBe(expected);
  });
});

describe('interpretPrediction', () => {
  test('reads a churn decision', () => {
    expect(interpretPrediction(event({ score: 0.7, label: 'churn', output: { churn: true, probability: 0.7 } }))).toMatchObject({ score: 0.7, positive: true, label: 'churn' });
  });

  test('reads the pneumonia decision and names it', () => {
    const p = interpretPrediction(event({ modelName: 'xray-pneumonia', score: 0.3, output: { probability: 0.3, positive: false } }));
    expect(p).toMatchObject({ score: 0.3, positive: false, label: 'normal' });
  });

  test('turns the type model’s probability of its answer into the probability of bacterial', () => {
    const viral = interpretPrediction(event({ modelName: 'xray-type', score: 0.8, output: { label: 'viral', probability: 0.8 } }));
    expect(viral.positive).toBe(false);
    expect(viral.score).toBeCloseTo(0.2, 12);
    expect(viral.label).toBe('viral');
    expect(interpretPrediction(event({ modelName: 'xray-type', score: 0.9, output: { label: 'bacterial', probability: 0.9 } }))).toMatchObject({ score: 0.9, positive: true });
  });

  test('falls back to score ≥ 0.5 for an output it does not know', () => {
    expect(interpretPrediction(event({ modelName: 'other', score: 0.5 })).positive).toBe(true);
    expect(interpretPrediction(event({ modelName: 'other', score: 0.49 })).positive).toBe(false);
  });
});

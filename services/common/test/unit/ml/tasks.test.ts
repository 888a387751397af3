import { answerFor, labelFits, multiclassMetrics, regressionMetrics } from '../../../src/ml';

describe('answers by task', () => {
  test('a binary classifier answers its positive class at the threshold, with probabilities by class label', () => {
    const config = { task: 'binary-classification' as const, classes: ['declined', 'approved'], positiveClass: 'approved', threshold: 0.3, confidenceBand: { low: 0.25, high: 0.35 } };
    expect(answerFor(config, { probabilities: [0.68, 0.32] })).toEqual({
      label: 'approved', probabilities: { declined: 0.68, approved: 0.32 }, score: 0.32, positive: true, lowConfidence: true,
    });
    expect(answerFor(config, { probabilities: [0.9, 0.1] })).toMatchObject({ label: 'declined', positive: false, lowConfidence: false });
  });

  test('a positive class listed first is still the one scored', () => {
    const config = { task: 'binary-classification' as const, classes: [1, 0], positiveClass: 1 };
    expect(answerFor(config, { probabilities: [0.8, 0.2] })).toMatchObject({ label: 1, score: 0.8, positive: true });
  });

  test('a multiclass classifier answers the most probable class; a regression its value', () => {
    expect(answerFor({ task: 'multiclass-classification', classes: ['a', 'b', 'c'] }, { probabilities: [0.2, 0.5, 0.3] })).toEqual({
      label: 'b', probabilities: { a: 0.2, b: 0.5, c: 0.3 }, score: 0.5,
    });
    expect(answerFor({ task: 'regression' }, { value: 41.5 })).toEqual({ value: 41.5, score: 41.5 });
  });

  test('feedback labels fit the task: a class (as written or as its string), or a finite number', () => {
    const binary = { task: 'binary-classification' as const, classes: [0, 1] };
    expect([labelFits(binary, 1), labelFits(binary, '0'), labelFits(binary, 'yes')]).toEqual([true, true, false]);
    expect([labelFits({ task: 'regression' }, 3.5), labelFits({ task: 'regression' }, '2e3'), labelFits({ task: 'regression' }, 'big')]).toEqual([true, true, false]);
  });
});

describe('task metrics', () => {
  test('multiclass: accuracy, macro-F1, per-class precision and recall, confusion[truth][answer]', () => {
    const pairs = [
      { predicted: 'a', actual: 'a' }, { predicted: 'a', actual: 'b' }, { predicted: 'b', actual: 'b' }, { predicted: 'c', actual: 'b' }, { predicted: 'x', actual: 'a' },
    ];
    const m = multiclassMetrics(pairs, ['a', 'b', 'c']);
    expect(m.labelled).toBe(4); // "x" is no class of the model
    expect(m.accuracy).toBe(0.5);
    expect(m.confusion).toEqual({ a: { a: 1, b: 0, c: 0 }, b: { a: 1, b: 1, c: 1 }, c: { a: 0, b: 0, c: 0 } });
    expect(m.perClass.a).toEqual({ precision: 0.5, recall: 1, f1: 2 / 3, support: 1 });
    expect(m.perClass.b).toEqual({ precision: 1, recall: 1 / 3, f1: 0.5, support: 3 });
    expect(m.perClass.c).toEqual({ precision: 0, recall: null, f1: null, support: 0 });
    expect(m.macroF1).toBeCloseTo((2 / 3 + 0.5 + 0) / 3, 12);
    expect(multiclassMetrics([], ['a', 'b'])).toMatchObject({ labelled: 0, accuracy: null, macroF1: null });
  });

  test('regression: MAE, RMSE, R² and mean error; undefined without labels', () => {
    const m = regressionMetrics([{ predicted: 3, actual: 1 }, { predicted: 2, actual: 2 }, { predicted: 2, actual: 3 }]);
    expect(m).toEqual({ labelled: 3, mae: 1, rmse: Math.sqrt(5 / 3), r2: 1 - 5 / 2, meanError: 1 / 3 });
    expect(regressionMetrics([])).toEqual({ labelled: 0, mae: null, rmse: null, r2: null, meanError: null });
  });
});

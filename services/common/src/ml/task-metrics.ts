/**
 * Quality of multiclass classifiers and regressions from (answered, true) pairs: what monitoring
 * reports per window and version for models whose task is not binary. A metric whose denominator
 * is empty is null, never 0 ("no labels" must not read as "always wrong").
 */
const ratio = (num: number, den: number): number | null => (den > 0 ? num / den : null);

export interface MulticlassMetrics {
  labelled: number;
  accuracy: number | null;
  /** Mean F1 over the classes that occur (as answer or truth), each weighted the same. */
  macroF1: number | null;
  perClass: Record<string, { precision: number | null; recall: number | null; f1: number | null; support: number }>;
  /** confusion[truth][answer] = count, over the declared classes. */
  confusion: Record<string, Record<string, number>>;
}

export function multiclassMetrics(pairs: readonly { predicted: string; actual: string }[], classes: readonly string[]): MulticlassMetrics {
  const confusion: Record<string, Record<string, number>> = Object.fromEntries(classes.map((t) => [t, Object.fromEntries(classes.map((p) => [p, 0]))]));
  let correct = 0;
  for (const { predicted, actual } of pairs) {
    if (confusion[actual]?.[predicted] === undefined) continue;
    confusion[actual][predicted] += 1;
    if (predicted === actual) correct += 1;
  }
  const labelled = classes.reduce((n, t) => n + classes.reduce((m, p) => m + confusion[t][p], 0), 0);
  const perClass: MulticlassMetrics['perClass'] = {};
  const f1s: number[] = [];
  for (const c of classes) {
    const tp = confusion[c][c];
    const answered = classes.reduce((n, t) => n + confusion[t][c], 0);
    const support = classes.reduce((n, p) => n + confusion[c][p], 0);
    const precision = ratio(tp, answered);
    const recall = ratio(tp, support);
    const f1 = precision !== null && recall !== null ? (precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0) : null;
    perClass[c] = { precision, recall, f1, support };
    if (answered + support > 0) f1s.push(f1 ?? 0);
  }
  return { labelled, accuracy: ratio(correct, labelled), macroF1: f1s.length ? f1s.reduce((a, b) => a + b, 0) / f1s.length : null, perClass, confusion };
}

export interface RegressionMetrics {
  labelled: number;
  mae: number | null;
  rmse: number | null;
  /** 1 − SSres/SStot: null when the truths do not vary. */
  r2: number | null;
  /** Mean of answer − truth: positive when the model over-estimates. */
  meanError: number | null;
}

export function regressionMetrics(pairs: readonly { predicted: number; actual: number }[]): RegressionMetrics {
  const n = pairs.length;
  if (n === 0) return { labelled: 0, mae: null, rmse: null, r2: null, meanError: null };
  let abs = 0;
  let sq = 0;
  let err = 0;
  let sum = 0;
  for (const { predicted, actual } of pairs) {
    const e = predicted - actual;
    abs += Math.abs(e);
    sq += e * e;
    err += e;
    sum += actual;
  }
  const mean = sum / n;
  const total = pairs.reduce((s, { actual }) => s + (actual - mean) ** 2, 0);
  return { labelled: n, mae: abs / n, rmse: Math.sqrt(sq / n), r2: total > 0 ? 1 - sq / total : null, meanError: err / n };
}

import { Gauge, type Registry } from 'prom-client';
import type { QualityObserver } from '../../domain/ports';
import type { Quality } from '../../domain/quality';

/** `metric` label → the value it shows; each is absent from /metrics while it is undefined. */
const QUALITY: Record<string, (q: Quality) => number | null> = {
  precision: (q) => q.precision,
  recall: (q) => q.recall,
  f1: (q) => q.f1,
  false_negative_rate: (q) => q.falseNegativeRate,
  specificity: (q) => q.specificity,
  roc_auc: (q) => q.rocAuc,
  brier: (q) => q.brier,
  positive_rate: (q) => q.positiveRate,
  accuracy: (q) => q.accuracy,
  baseline_accuracy: (q) => q.baseline.accuracy,
  baseline_recall: (q) => q.baseline.recall,
};

/** Model quality gauges on the service's registry; create once per registry (names are unique there). */
export function createQualityMetrics(registry: Registry): QualityObserver {
  const registers = [registry];
  const quality = new Gauge({
    name: 'vigil_model_quality',
    help: 'Quality of a model version over a look-back window, against the current ground-truth labels; absent while undefined (no labels)',
    labelNames: ['model', 'version', 'window', 'metric'],
    registers,
  });
  const predictions = new Gauge({ name: 'vigil_model_predictions', help: 'Predictions of a model version in the window', labelNames: ['model', 'version', 'window'], registers });
  const labelled = new Gauge({ name: 'vigil_model_labelled', help: 'Predictions in the window with a usable ground-truth label', labelNames: ['model', 'version', 'window'], registers });
  return {
    publish(results) {
      // Reset and refill in one synchronous step: a scrape sees the old set or the new one, and a
      // version that left the window (or a metric that became undefined) disappears.
      quality.reset();
      predictions.reset();
      labelled.reset();
      for (const { window, versions } of results) {
        for (const v of versions) {
          const labels = { model: v.modelName, version: v.modelVersion, window };
          predictions.set(labels, v.predictions);
          labelled.set(labels, v.labelled);
          for (const [metric, read] of Object.entries(QUALITY)) {
            const value = read(v);
            if (value !== null) quality.set({ ...labels, metric }, value);
          }
        }
      }
    },
  };
}

import { Gauge, type Registry } from 'prom-client';
import type { DriftObserver } from '../../domain/drift-ports';

/** Drift gauges on the service's registry; create once per registry (names are unique there). */
export function createDriftMetrics(registry: Registry): DriftObserver {
  const registers = [registry];
  const psi = new Gauge({
    name: 'vigil_model_psi',
    help: 'Population stability index of a model version\'s live inputs (feature) and positive-class probability (feature="score") over a look-back window, against its training reference; > 0.2 is a significant shift',
    labelNames: ['model', 'version', 'window', 'feature'],
    registers,
  });
  const rows = new Gauge({
    name: 'vigil_model_drift_rows',
    help: 'Live predictions the PSI of a model version was computed on (the newest, at most 20,000 per window); PSI on few rows is noisy',
    labelNames: ['model', 'version', 'window'],
    registers,
  });
  return {
    publish(results) {
      // Reset and refill in one synchronous step: a scrape sees the old set or the new one.
      psi.reset();
      rows.reset();
      for (const { window, versions } of results) {
        for (const v of versions) {
          const labels = { model: v.modelName, version: v.modelVersion, window };
          rows.set(labels, v.n);
          if (v.score !== null) psi.set({ ...labels, feature: 'score' }, v.score);
          for (const f of v.features) if (f.psi !== null) psi.set({ ...labels, feature: f.feature }, f.psi);
        }
      }
    },
  };
}

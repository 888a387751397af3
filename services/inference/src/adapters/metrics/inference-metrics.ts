import { Counter, Histogram, type Registry } from 'prom-client';
import type { InferenceObserver } from '../../domain/run-inference';

/**
 * Inference metrics under Triton's names (cumulative counters, microseconds), so dashboards built
 * for Triton work; the audit write, which Triton does not have, under vigil_*.
 */
export function createInferenceMetrics(registry: Registry): InferenceObserver {
  const registers = [registry];
  const success = new Counter({ name: 'nv_inference_request_success', help: 'Successful inference requests', labelNames: ['model', 'version'], registers });
  const failure = new Counter({ name: 'nv_inference_request_failure', help: 'Failed inference requests', labelNames: ['model', 'reason'], registers });
  const count = new Counter({ name: 'nv_inference_count', help: 'Inferences performed (rows)', labelNames: ['model', 'version'], registers });
  const requestUs = new Counter({ name: 'nv_inference_request_duration_us', help: 'Cumulative request duration', labelNames: ['model', 'version'], registers });
  const computeUs = new Counter({ name: 'nv_inference_compute_infer_duration_us', help: 'Cumulative compute duration', labelNames: ['model', 'version'], registers });
  const audit = new Histogram({
    name: 'vigil_inference_audit_duration_seconds',
    help: 'Time to commit a request’s audit rows (group commit included)',
    labelNames: ['model'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers,
  });
  return {
    success(model, rows, timings) {
      const labels = { model: model.name, version: String(model.version) };
      success.inc(labels);
      count.inc(labels, rows);
      requestUs.inc(labels, (timings.queueMs + timings.computeMs + timings.postMs + timings.auditMs) * 1000);
      computeUs.inc(labels, timings.computeMs * 1000);
      audit.observe({ model: model.name }, timings.auditMs / 1000);
    },
    failure(modelName, reason) {
      failure.inc({ model: modelName, reason });
    },
  };
}

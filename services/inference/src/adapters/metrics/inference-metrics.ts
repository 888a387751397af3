import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { InferenceObserver } from '../../domain/run-inference';
import type { BatchRun } from '../onnx/batched-runs';

/**
 * Inference metrics under Triton's names (cumulative counters, microseconds), so dashboards built
 * for Triton work; the audit write, which Triton does not have, under vigil_*.
 */
export function createInferenceMetrics(registry: Registry, runtime: { readonly executionProvider?: string } = {}): InferenceObserver {
  const registers = [registry];
  if (runtime.executionProvider) {
    // Read at scrape time: the runtime may fall back to cpu after start (see model-runtime.ts).
    new Gauge({
      name: 'vigil_inference_execution_provider',
      help: 'onnxruntime execution provider new sessions run on (1 = active)',
      labelNames: ['provider'],
      registers,
      collect() {
        this.reset();
        this.set({ provider: runtime.executionProvider! }, 1);
      },
    });
  }
  const success = new Counter({ name: 'nv_inference_request_success', help: 'Successful inference requests', labelNames: ['model', 'version'], registers });
  const failure = new Counter({ name: 'nv_inference_request_failure', help: 'Failed inference requests', labelNames: ['model', 'reason'], registers });
  const count = new Counter({ name: 'nv_inference_count', help: 'Inferences performed (rows)', labelNames: ['model', 'version'], registers });
  const requestUs = new Counter({ name: 'nv_inference_request_duration_us', help: 'Cumulative request duration', labelNames: ['model', 'version'], registers });
  const queueUs = new Counter({
    name: 'nv_inference_queue_duration_us', help: 'Cumulative queue duration (lookup, input checks, waiting for a dynamic batch)', labelNames: ['model', 'version'], registers,
  });
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
      queueUs.inc(labels, timings.queueMs * 1000);
      computeUs.inc(labels, timings.computeMs * 1000);
      audit.observe({ model: model.name }, timings.auditMs / 1000);
    },
    failure(modelName, reason) {
      failure.inc({ model: modelName, reason });
    },
  };
}

/**
 * Session runs, under Triton's name: a model's nv_inference_count over its nv_inference_exec_count
 * is its mean dynamic batch size. The shared X-ray backbone counts as model "backbone", version
 * the start of its sha256.
 */
export function createBatchMetrics(registry: Registry): { batch(run: BatchRun): void } {
  const execs = new Counter({
    name: 'nv_inference_exec_count', help: 'Model executions (session runs), each one batch', labelNames: ['model', 'version'], registers: [registry],
  });
  return {
    batch(run) {
      execs.inc({ model: run.model, version: run.version });
    },
  };
}

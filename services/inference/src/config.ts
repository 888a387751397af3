import { serviceConfigSchema, Type } from '@vigil/common';

export const ConfigSchema = Type.Composite([
  serviceConfigSchema(8080),
  Type.Object({
    /** Triton-shaped model repository written by training: <dir>/<name>/<version>/{model.onnx,config.json}. */
    MODEL_REPOSITORY: Type.String({ minLength: 1, default: '.vigil/models' }),
    /** Most predictions written in one audit transaction (group commit). */
    AUDIT_MAX_BATCH: Type.Integer({ minimum: 1, maximum: 10000, default: 2000 }),
    /** Threads onnxruntime may use per inference. */
    ORT_INTRA_OP_THREADS: Type.Integer({ minimum: 1, maximum: 64, default: 1 }),
    /** A running batch job whose heartbeat is older than this is taken over (its process died). */
    BATCH_STALE_AFTER_MS: Type.Integer({ minimum: 1000, default: 30000 }),
    /** Scheduled batch scoring of the latest churn dataset: every this many ms (default weekly; 0 = off). */
    CHURN_BATCH_INTERVAL_MS: Type.Integer({ minimum: 0, default: 7 * 24 * 3600 * 1000 }),
  }),
]);

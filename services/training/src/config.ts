import { serviceConfigSchema, Type } from '@vigil/common';

export const ConfigSchema = Type.Composite([
  serviceConfigSchema(8082),
  Type.Object({
    /** Triton-shaped model repository: <dir>/<name>/<version>/{model.onnx,config.json}. */
    MODEL_REPOSITORY: Type.String({ minLength: 1, default: '.vigil/models' }),
    /** A candidate whose holdout ROC AUC is below the live version's by more than this is refused. */
    PROMOTION_MARGIN: Type.Number({ minimum: 0, maximum: 1, default: 0.01 }),
    /** A running job whose heartbeat is older than this is considered dead. */
    JOB_STALE_AFTER_MS: Type.Integer({ minimum: 1000, default: 30000 }),
    JOB_MAX_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 10, default: 2 }),
    TRAINING_SEED: Type.Integer({ default: 42 }),
    /** Content-addressed image store shared with ingestion (X-ray datasets). */
    BLOB_STORE_DIR: Type.String({ minLength: 1, default: '.vigil/blobs' }),
    /** Recall on validation images that xray-pneumonia's threshold must reach. */
    XRAY_TARGET_RECALL: Type.Number({ exclusiveMinimum: 0, maximum: 1, default: 0.98 }),
    /** Half-width, in log-odds, of the low-confidence band around each X-ray model's threshold. */
    XRAY_CONFIDENCE_LOGIT_MARGIN: Type.Number({ minimum: 0, maximum: 10, default: 1 }),
    /** The largest ONNX file POST /v1/models/{name}/versions accepts (512 MiB). */
    MODEL_MAX_BYTES: Type.Integer({ minimum: 1024, default: 512 * 1024 * 1024 }),
    VIGIL_CODE_COMMIT: Type.Optional(Type.String({ minLength: 1 })),
  }),
]);

import { serviceConfigSchema, Type } from '@vigil/common';

export const ConfigSchema = Type.Composite([
  serviceConfigSchema(8080),
  Type.Object({
    /** Triton-shaped model repository written by training: <dir>/<name>/<version>/{model.onnx,config.json}. */
    MODEL_REPOSITORY: Type.String({ minLength: 1, default: '.vigil/models' }),
    /** Most predictions written in one audit transaction (group commit). */
    AUDIT_MAX_BATCH: Type.Integer({ minimum: 1, maximum: 10000, default: 2000 }),
    /**
     * Audit transactions in flight at once. Two let one group build and send while the other
     * commits: on this 2-core machine +15-30% scored rows/s (bench, 1 vs 2); three measured no better.
     */
    AUDIT_WRITERS: Type.Integer({ minimum: 1, maximum: 16, default: 2 }),
    /** Threads onnxruntime may use per inference. */
    ORT_INTRA_OP_THREADS: Type.Integer({ minimum: 1, maximum: 64, default: 1 }),
    /** onnxruntime execution providers to try, in order; the first that works serves, cpu is always last. */
    ORT_EXECUTION_PROVIDERS: Type.String({ pattern: '^ *(cuda|webgpu|cpu) *(, *(cuda|webgpu|cpu) *)*$', default: 'cuda,webgpu,cpu' }),
    /** Dynamic batching (Triton's): most rows one session run takes from concurrent requests for a model (1 = off). */
    BATCH_MAX_SIZE: Type.Integer({ minimum: 1, maximum: 1000, default: 8 }),
    /** Dynamic batching: longest a request waits for others to join its batch. */
    BATCH_MAX_WAIT_MS: Type.Integer({ minimum: 0, maximum: 1000, default: 2 }),
    /** A running batch job whose heartbeat is older than this is taken over (its process died). */
    BATCH_STALE_AFTER_MS: Type.Integer({ minimum: 1000, default: 30000 }),
    /** Content-addressed image store shared with ingestion and training. */
    BLOB_STORE_DIR: Type.String({ minLength: 1, default: '.vigil/blobs' }),
    /** Largest X-ray accepted, in bytes (413 above). */
    XRAY_MAX_BYTES: Type.Integer({ minimum: 1024, default: 50 * 1024 * 1024 }),
    /** Most pixels an X-ray may declare (413 above), checked from the header before decoding: decompression bombs. */
    XRAY_MAX_PIXELS: Type.Integer({ minimum: 1, default: 40_000_000 }),
    /** Key of the HMAC that re-maps DICOM UIDs during de-identification; the same in every service replica. */
    DEIDENTIFY_UID_SECRET: Type.String({ minLength: 16, default: 'vigil-development-uid-secret' }),
    /** Scheduled batch scoring of the latest churn dataset: every this many ms (default weekly; 0 = off). */
    CHURN_BATCH_INTERVAL_MS: Type.Integer({ minimum: 0, default: 7 * 24 * 3600 * 1000 }),
  }),
]);

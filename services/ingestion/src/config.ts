import { serviceConfigSchema, Type } from '@vigil/common';

export const ConfigSchema = Type.Composite([
  serviceConfigSchema(8081),
  Type.Object({
    /** Content-addressed image store (<dir>/sha256/ab/cd/<hex>), shared with training. */
    BLOB_STORE_DIR: Type.String({ minLength: 1, default: '.vigil/blobs' }),
    /** Largest X-ray archive accepted. The 5,216-image training set is ~50 MB as a tar. */
    XRAY_MAX_ARCHIVE_BYTES: Type.Integer({ minimum: 1024, default: 1024 * 1024 * 1024 }),
    /** Images with more pixels are refused: a 6000 × 6000 detector image is 36 M. */
    XRAY_MAX_IMAGE_PIXELS: Type.Integer({ minimum: 1, default: 50_000_000 }),
    /**
     * One X-ray sent for a prediction (POST /v1/xray/studies, STOW-RS): largest size in bytes and
     * most pixels a header may declare. The names and defaults of inference's limits, so that what
     * ingestion accepts inference can decode: keep them at or below inference's.
     */
    XRAY_MAX_BYTES: Type.Integer({ minimum: 1024, default: 50 * 1024 * 1024 }),
    XRAY_MAX_PIXELS: Type.Integer({ minimum: 1, default: 40_000_000 }),
    /** Largest STOW-RS request: it is read whole before its instances are split out. */
    STOW_MAX_BODY_BYTES: Type.Integer({ minimum: 1024, default: 256 * 1024 * 1024 }),
    /** Key of the HMAC that re-maps DICOM UIDs during de-identification: the same as inference's, in every replica. */
    DEIDENTIFY_UID_SECRET: Type.String({ minLength: 16, default: 'vigil-development-uid-secret' }),
  }),
]);

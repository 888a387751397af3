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
  }),
]);

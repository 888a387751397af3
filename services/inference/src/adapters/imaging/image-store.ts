import { createFileBlobStore } from '@vigil/common';
import type { ImageStore } from '../../domain/image-ports';

/** Images in the content-addressed blob store shared with ingestion and training (BLOB_STORE_DIR). */
export function createImageStore(dir: string): ImageStore {
  const blobs = createFileBlobStore(dir);
  return {
    put: async (bytes) => ({ sha256: (await blobs.put(bytes)).sha256 }),
    get: (sha256) => blobs.get(sha256),
  };
}

import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { VigilError, type PreprocessSpec } from '@vigil/common';

/**
 * Backbone embeddings kept beside the blobs they came from, so that retraining on images already
 * seen (a monitoring-triggered retrain, an experiment with another head) skips the backbone: ~15 ms
 * of a 2-core machine per image, i.e. minutes for a full dataset.
 *
 * An embedding is a pure function of (backbone bytes, preprocessing spec, image bytes), so that
 * triple is the key and an entry never goes stale: a new backbone or spec writes to a new folder.
 * Layout: `<blobDir>/embeddings/<backbone sha256>/<spec hash>/<ab>/<image sha256>.f32`, raw
 * float32 in the machine's byte order (little-endian on x86-64 and arm64), embeddingSize × 4 bytes for
 * MobileNetV2, nothing else in the file; the `<ab>` fan-out keeps folders small (5,216 images: ~20 each).
 */
export interface EmbeddingCache {
  /** Where this backbone and spec keep their embeddings. */
  readonly dir: string;
  /** The cached embedding of an image, or null (missing, or not `embeddingSize` floats long). */
  get(imageSha256: string): Promise<Float32Array | null>;
  put(imageSha256: string, embedding: Float32Array): Promise<void>;
}

export interface EmbeddingCacheOptions {
  backboneSha256: string;
  preprocess: PreprocessSpec;
  embeddingSize: number;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** JSON with sorted keys: the same spec hashes the same whatever order its fields were written in. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export const preprocessSpecHash = (spec: PreprocessSpec): string => createHash('sha256').update(canonicalJson(spec)).digest('hex');

function checkedSha(sha256: string, what: string): string {
  // Hashes become path segments: anything but 64 lowercase hex digits is refused before the filesystem.
  if (typeof sha256 !== 'string' || !SHA256_HEX.test(sha256)) throw new VigilError('VIGIL_VALIDATION', `${what} must be a SHA-256: 64 lowercase hex digits`);
  return sha256;
}

export function createEmbeddingCache(blobDir: string, options: EmbeddingCacheOptions): EmbeddingCache {
  const bytes = options.embeddingSize * 4;
  const dir = path.resolve(blobDir, 'embeddings', checkedSha(options.backboneSha256, 'backbone'), preprocessSpecHash(options.preprocess));
  const fileOf = (sha: string) => path.join(dir, checkedSha(sha, 'image').slice(0, 2), `${sha}.f32`);
  return {
    dir,
    async get(imageSha256) {
      const file = fileOf(imageSha256);
      let data: Buffer;
      try {
        data = await readFile(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw new VigilError('VIGIL_UNAVAILABLE', `embedding cache read failed: ${(err as Error).message}`, { cause: err });
      }
      // No fsync on write (a cache can be rebuilt), so a crash may leave a short file: a miss, rewritten later.
      if (data.length !== bytes) return null;
      // A copy, not a view: the view would need 4-byte alignment, and the Buffer may come from a shared pool.
      const out = new Float32Array(options.embeddingSize);
      new Uint8Array(out.buffer).set(data);
      return out;
    },
    async put(imageSha256, embedding) {
      if (embedding.length !== options.embeddingSize) {
        throw new VigilError('VIGIL_INTERNAL', `embedding of ${embedding.length} floats, the cache holds ${options.embeddingSize}`);
      }
      const file = fileOf(imageSha256);
      await mkdir(path.dirname(file), { recursive: true });
      // Temp file in the same folder, then rename(2): readers see a whole entry or none, and two
      // writers of one image both rename identical bytes over the same name.
      const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        await writeFile(tmp, new Uint8Array(embedding.buffer, embedding.byteOffset, embedding.byteLength));
        await rename(tmp, file);
      } catch (err) {
        await unlink(tmp).catch(() => undefined);
        throw new VigilError('VIGIL_UNAVAILABLE', `embedding cache write failed: ${(err as Error).message}`, { cause: err });
      }
    },
  };
}

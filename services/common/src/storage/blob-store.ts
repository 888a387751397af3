import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { VigilError } from '../errors/vigil-error';

/**
 * Content-addressed blobs (images, archives): the name of a blob is the SHA-256 of its bytes, so a
 * blob never changes once written, the same bytes are stored once however often they arrive, and
 * Postgres rows can refer to them by hash. Services that share BLOB_STORE_DIR share the blobs
 * (ingestion writes the X-ray images, training reads them).
 */
export interface BlobStore {
  /** Stores the bytes under their SHA-256 (hex). created is false when the blob was already there. */
  put(bytes: Uint8Array): Promise<{ sha256: string; created: boolean }>;
  /** The bytes of a blob, checked against their hash; null when there is no such blob. */
  get(sha256: string): Promise<Buffer | null>;
  has(sha256: string): Promise<boolean>;
  /** Where the blob lives (or would live) on disk, for readers that stream or map the file. */
  path(sha256: string): string;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/**
 * A BlobStore on a local (or shared) filesystem, laid out `<dir>/sha256/ab/cd/<hex>` — two levels
 * of 256 fan-out keep each directory small (5,216 images: < 1 file per leaf).
 *
 * A write goes to a temporary file in the blob's own directory, is fsynced, then renamed into
 * place (rename(2) is atomic within a filesystem), and the directory is fsynced so the new name
 * survives a power cut too: the caller commits Postgres rows naming the blob right after. Readers
 * therefore see a whole blob or none. Two processes writing the same blob at once both rename
 * complete, identical files over the same name, so the race is harmless; both may report
 * created = true. A crash can leave a `*.tmp` file behind, never a half-written blob.
 */
export function createFileBlobStore(dir: string): BlobStore {
  const root = path.resolve(dir, 'sha256');
  const blobPath = (sha256: string): string => {
    // The hash becomes a file name: anything but 64 lowercase hex digits (e.g. "../../etc/passwd")
    // is refused before it reaches the filesystem.
    if (typeof sha256 !== 'string' || !SHA256_HEX.test(sha256)) {
      throw new VigilError('VIGIL_VALIDATION', 'A blob is named by its SHA-256: 64 lowercase hex digits');
    }
    return path.join(root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  };

  return {
    path: blobPath,

    async put(bytes) {
      const sha256 = sha256Hex(bytes);
      const target = blobPath(sha256);
      if (await exists(target)) return { sha256, created: false };
      const folder = path.dirname(target);
      await mkdir(folder, { recursive: true });
      const tmp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        const file = await open(tmp, 'wx');
        try {
          await file.writeFile(bytes);
          await file.sync();
        } finally {
          await file.close();
        }
        await rename(tmp, target);
      } catch (err) {
        await unlink(tmp).catch(() => undefined);
        throw storageError('write', err);
      }
      await syncDirectory(folder);
      return { sha256, created: true };
    },

    async get(sha256) {
      const file = blobPath(sha256);
      let bytes: Buffer;
      try {
        bytes = await readFile(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw storageError('read', err);
      }
      // A blob is immutable, so bytes that no longer match their name were damaged on disk;
      // hashing costs ~2 ms per MB, cheap next to decoding an image.
      if (sha256Hex(bytes) !== sha256) {
        throw new VigilError('VIGIL_INTERNAL', `Blob ${sha256} is corrupt: its bytes no longer match its hash`);
      }
      return bytes;
    },

    async has(sha256) {
      return exists(blobPath(sha256));
    },
  };
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw storageError('read', err);
  }
}

/** fsync of the directory makes the rename durable (POSIX leaves it to the directory's metadata). */
async function syncDirectory(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } catch (err) {
    // Some filesystems (and Windows) refuse fsync on a directory; the blob itself is synced.
    if ((err as NodeJS.ErrnoException).code !== 'EINVAL' && (err as NodeJS.ErrnoException).code !== 'EPERM') {
      throw storageError('write', err);
    }
  } finally {
    await handle.close();
  }
}

/** A full disk or a lost mount is the store being unavailable, not the request being wrong. */
function storageError(action: 'read' | 'write', err: unknown): VigilError {
  const code = (err as NodeJS.ErrnoException).code ?? 'unknown';
  return new VigilError('VIGIL_UNAVAILABLE', `Blob store ${action} failed (${code})`, { cause: err });
}

import { VigilError } from '@vigil/common';
import { imageMediaType } from './xray-image-type';
import { entryPath, isManifestCandidate } from './xray-paths';
import type { ArchiveEntries, ImageBlobs, ImageMediaType, ImageProbe } from './xray-ports';

/** What the archive held under a path: a stored image, or why it cannot be one. */
export type ScannedFile =
  | { kind: 'image'; sha256: string; mediaType: ImageMediaType; width: number; height: number }
  | { kind: 'rejected'; problem: string };

export interface ArchiveScan {
  /** By canonical path; folders are not listed. */
  files: Map<string, ScannedFile>;
  /** Every "manifest.csv" at the root or one folder down, with its text. */
  manifests: { path: string; text: string }[];
}

export interface ScanDeps {
  images: ImageProbe;
  blobs: ImageBlobs;
  /** Images with more pixels are refused (decoding one costs width × height × channels bytes). */
  maxImagePixels: number;
}

/** The 5,216-image training set is ~10k entries as a tar; 100k bounds the path map at ~20 MB. */
export const MAX_ARCHIVE_ENTRIES = 100_000;
/** A chest X-ray PNG at full detector resolution (3000 × 3000, 16-bit) is ~15 MB. */
export const MAX_IMAGE_BYTES = 64 * 1024 * 1024;
/** ~150 bytes a row: 16 MiB is 100k rows, as many as MAX_ARCHIVE_ENTRIES allows. */
export const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;
/**
 * Images probed and written at once, while the next entries are read. Measured on the dev VM,
 * 5,216 blob writes of 7 kB (two fsyncs each): 1 at a time 7.2 s, 8 at a time 5.5 s, 32 at a time
 * 5.5 s (libuv's 4 threads and the disk are the limit); the whole import did not get faster
 * past 8 either.
 */
const CONCURRENCY = 8;

const MiB = (n: number) => `${Math.round(n / 1024 / 1024)} MiB`;

/**
 * Reads every entry once, in archive order: the manifest candidates are kept as text, each PNG or
 * JPEG is probed (type from its magic bytes, size from its header) and written to the blob store
 * while the next entries are read. The manifest may come before or after the images (a tar is
 * read front to back), so images are stored before it is known which the manifest names: blobs
 * of an upload that is then rejected stay behind unreferenced, which is harmless in a
 * content-addressed store (same bytes, same blob, reused by the next upload).
 */
export async function scanArchive(entries: ArchiveEntries, deps: ScanDeps): Promise<ArchiveScan> {
  const files = new Map<string, ScannedFile>();
  const manifests: ArchiveScan['manifests'] = [];
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;

  const store = (path: string, bytes: Buffer, mediaType: ImageMediaType) => {
    const task: Promise<void> = storeImage(bytes, mediaType, deps)
      .then((file) => void files.set(path, file))
      // Kept, not thrown: a rejected promise nobody awaits yet would be an unhandled rejection.
      .catch((error: unknown) => void (failure ??= { error }))
      .finally(() => inFlight.delete(task));
    inFlight.add(task);
  };

  try {
    let count = 0;
    for await (const entry of entries) {
      if (++count > MAX_ARCHIVE_ENTRIES) {
        throw new VigilError('VIGIL_UNPROCESSABLE', `The archive has more than ${MAX_ARCHIVE_ENTRIES} entries; nothing was imported`);
      }
      const path = entryPath(entry.name);
      if (path === '' || entry.type === 'directory') continue;
      if (seen.has(path)) duplicates.add(path);
      seen.add(path);
      if (entry.type !== 'file') {
        files.set(path, { kind: 'rejected', problem: 'is a link or special file in the archive, not an image file' });
      } else if (isManifestCandidate(path)) {
        const bytes = await entry.read(MAX_MANIFEST_BYTES);
        if (!bytes) throw new VigilError('VIGIL_UNPROCESSABLE', `${path} is larger than ${MiB(MAX_MANIFEST_BYTES)}; nothing was imported`);
        manifests.push({ path, text: bytes.toString('utf8') });
      } else {
        const bytes = await entry.read(MAX_IMAGE_BYTES);
        const mediaType = bytes && imageMediaType(bytes);
        if (!bytes) files.set(path, { kind: 'rejected', problem: `is larger than ${MiB(MAX_IMAGE_BYTES)}` });
        else if (!mediaType) files.set(path, { kind: 'rejected', problem: 'is not a PNG or JPEG image (judged by its first bytes)' });
        else store(path, bytes, mediaType);
      }
      while (inFlight.size >= CONCURRENCY) await Promise.race(inFlight);
      if (failure) throw failure.error;
    }
  } finally {
    // Also on a rejection: no write may still be running when the request is answered.
    await Promise.all(inFlight);
  }
  if (failure) throw failure.error;
  for (const path of duplicates) files.set(path, { kind: 'rejected', problem: 'appears more than once in the archive' });
  return { files, manifests };
}

async function storeImage(bytes: Buffer, mediaType: ImageMediaType, deps: ScanDeps): Promise<ScannedFile> {
  const header = await deps.images.probe(bytes);
  const expected = mediaType === 'image/png' ? 'png' : 'jpeg';
  if (!header || header.format !== expected) {
    return { kind: 'rejected', problem: `starts like a ${expected.toUpperCase()} image but cannot be decoded` };
  }
  const pixels = header.width * header.height;
  if (pixels > deps.maxImagePixels) {
    return {
      kind: 'rejected',
      problem: `is ${header.width}×${header.height} = ${pixels} pixels; the limit is ${deps.maxImagePixels}`,
    };
  }
  const { sha256 } = await deps.blobs.put(bytes);
  return { kind: 'image', sha256, mediaType, width: header.width, height: header.height };
}

import type { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import { fromBufferPromise, getFileNameLowLevel, type Entry, type ZipFile } from 'yauzl';
import type { ArchiveEntries, ArchiveEntry } from '../../domain/xray-ports';
import { tooLarge, unreadable } from './archive-errors';

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/**
 * The entries of a zip. Its central directory is at the end (APPNOTE 4.3.6), so the body is read
 * whole first (ByteMeter bounds it); then each entry is inflated when read. The inflated total is
 * bounded by maxBytes too, so a zip bomb (a few kB inflating to GBs) costs no more than a tar.
 */
export async function* zipEntries(body: Readable, release: () => void, maxBytes: number): ArchiveEntries {
  let zip: ZipFile;
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk as Buffer);
    // Names are decoded here rather than by yauzl, which would throw on an unsafe one: the
    // domain refuses those with the entry named, the same for tar and zip.
    zip = await fromBufferPromise(Buffer.concat(chunks), { lazyEntries: true, decodeStrings: false, validateEntrySizes: true });
  } catch (err) {
    throw unreadable('zip', err);
  } finally {
    release();
  }
  let inflated = 0;
  try {
    for await (const entry of zip.eachEntry()) {
      // Info-ZIP's Unicode path field, else UTF-8 or CP437 by the entry's flag; "\" becomes "/".
      const name = getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, false);
      const archiveEntry: ArchiveEntry = {
        name,
        type: entryType(entry, name),
        async read(limit) {
          if (entry.uncompressedSize > limit) return null;
          inflated += entry.uncompressedSize;
          if (inflated > maxBytes) throw tooLarge(maxBytes);
          return readEntry(zip, entry);
        },
      };
      yield archiveEntry;
    }
  } catch (err) {
    throw unreadable('zip', err);
  } finally {
    zip.close();
  }
}

async function readEntry(zip: ZipFile, entry: Entry): Promise<Buffer> {
  let bytes: Buffer;
  try {
    const chunks: Buffer[] = [];
    // yauzl checks the inflated size against the declared one (validateEntrySizes)...
    for await (const chunk of await zip.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
    bytes = Buffer.concat(chunks);
  } catch (err) {
    throw unreadable('zip', err);
  }
  // ...but not the CRC-32 (its README: "No CRC-32 Checking"); a damaged image would be stored.
  if (crc32(bytes) !== entry.crc32) throw unreadable('zip', new Error(`CRC-32 mismatch in ${entry.fileNameRaw.toString('utf8').slice(0, 200)}`));
  return bytes;
}

function entryType(entry: Entry, name: string): ArchiveEntry['type'] {
  if (name.endsWith('/')) return 'directory';
  // Unix mode in the high 16 bits of the external attributes, when made on Unix (APPNOTE 4.4.15).
  if ((entry.versionMadeBy >> 8 === 3) && ((entry.externalFileAttributes >>> 16) & S_IFMT) === S_IFLNK) return 'link';
  // Encrypted entries or unknown methods cannot be read; they are no images for this upload.
  if (entry.isEncrypted() || !entry.canDecodeFileData()) return 'other';
  return 'file';
}

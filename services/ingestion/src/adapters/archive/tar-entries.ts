import type { Readable } from 'node:stream';
import { extract, type Header } from 'tar-stream';
import type { ArchiveEntries, ArchiveEntry } from '../../domain/xray-ports';
import { unreadable } from './archive-errors';

/**
 * The entries of a tar as the bytes arrive: only the entry being read is in memory, so a 200 MB
 * upload costs one image at a time. tar-stream reads long names (pax, GNU) into `name`.
 */
export async function* tarEntries(body: Readable, release: () => void): ArchiveEntries {
  const parser = extract();
  body.on('error', (err) => parser.destroy(err));
  body.pipe(parser);
  try {
    for await (const entry of parser) {
      let read = false;
      const archiveEntry: ArchiveEntry = {
        name: entry.header.name,
        type: entryType(entry.header.type),
        async read(maxBytes) {
          read = true;
          return readEntry(entry, maxBytes);
        },
      };
      yield archiveEntry;
      // tar-stream waits until an entry's bytes are consumed before it parses the next header.
      if (!read) entry.resume();
    }
  } catch (err) {
    throw unreadable('tar', err);
  } finally {
    parser.destroy();
    release();
  }
}

/** A tar entry as tar-stream yields it (its `Source` type is not exported). */
interface TarEntry extends AsyncIterable<unknown> {
  header: Header;
  resume(): unknown;
}

async function readEntry(entry: TarEntry, maxBytes: number): Promise<Buffer | null> {
  if ((entry.header.size ?? 0) > maxBytes) {
    entry.resume();
    return null;
  }
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of entry) chunks.push(chunk as Buffer);
  } catch (err) {
    throw unreadable('tar', err);
  }
  return Buffer.concat(chunks);
}

function entryType(type: Header['type'] | null | undefined): ArchiveEntry['type'] {
  switch (type) {
    case 'file':
    case 'contiguous-file':
    case null:
    case undefined:
      return 'file';
    case 'directory':
      return 'directory';
    case 'link':
    case 'symlink':
      return 'link';
    default:
      return 'other';
  }
}

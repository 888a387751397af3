import type { Readable } from 'node:stream';
import { isVigilError, VigilError } from '@vigil/common';
import type { ArchiveEntries } from '../../domain/xray-ports';
import { archiveFormat, isGzip, type ArchiveFormat } from './archive-format';
import { ByteMeter } from './byte-meter';
import { tarEntries } from './tar-entries';
import { zipEntries } from './zip-entries';

export interface OpenArchiveOptions {
  /** The format the Content-Type declared; null when it left it to the bytes (octet-stream, multipart). */
  declared: ArchiveFormat | null;
  /** XRAY_MAX_ARCHIVE_BYTES: more is 413. */
  maxBytes: number;
}

/**
 * Decides the format from the first bytes of the upload and returns its entries, read as they
 * arrive (tar) or once the whole body is in (zip: its directory is at the end, APPNOTE 4.3.6).
 * The bytes decide: a body that is no tar or zip, or not the one its Content-Type declared, is 415
 * (RFC 9110 §15.5.16: the format problem may be found "by inspecting the data directly").
 */
export async function openArchive(source: Readable, options: OpenArchiveOptions): Promise<ArchiveEntries> {
  const meter = new ByteMeter(options.maxBytes);
  // pipe() forwards neither errors nor a close before the end (a client that disconnects): without
  // these the parser would wait for the rest forever.
  source.on('error', (err) => meter.destroy(err));
  source.on('close', () => {
    if (!source.readableEnded) meter.destroy(new Error('the upload was interrupted'));
  });
  source.pipe(meter);
  // Once the archive is read, or abandoned on a rejection: the rest of the body is read and
  // dropped (as fastify does past its bodyLimit), so the client gets the answer instead of a
  // reset; destroying the request would close the socket before the problem+json is written.
  const release = () => {
    source.unpipe(meter);
    meter.destroy();
    source.resume();
  };

  let head: Buffer;
  try {
    head = await meter.head;
  } catch (err) {
    release();
    throw isVigilError(err) ? err : new VigilError('VIGIL_VALIDATION', 'The upload ended before its first bytes arrived', { cause: err });
  }
  const format = archiveFormat(head);
  if (!format || (options.declared && options.declared !== format)) {
    release();
    throw new VigilError('VIGIL_UNSUPPORTED_MEDIA_TYPE', unsupported(head, options.declared, format));
  }
  return format === 'tar' ? tarEntries(meter, release) : zipEntries(meter, release, options.maxBytes);
}

function unsupported(head: Buffer, declared: ArchiveFormat | null, found: ArchiveFormat | null): string {
  if (found) return `The body is a ${found} archive, but its Content-Type says ${declared}`;
  if (isGzip(head)) return 'The body is gzip-compressed: send the tar uncompressed (the images are compressed already) or a zip';
  return `The body is ${declared ? `not a ${declared} archive` : 'neither a tar nor a zip archive'} (judged by its first bytes)`;
}

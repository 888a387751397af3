import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isVigilError, VigilError } from '@vigil/common';
import type { ArchiveFormat } from '../adapters/archive/archive-format';
import { tooLarge } from '../adapters/archive/archive-errors';
import { openArchive } from '../adapters/archive/open-archive';
import type { ArchiveEntries } from '../domain/xray-ports';

/** Content-Type → the format it declares; null: decided from the bytes. */
const DECLARED: Record<string, ArchiveFormat | null> = {
  'application/x-tar': 'tar',
  'application/zip': 'zip',
  // What Windows browsers send for a .zip.
  'application/x-zip-compressed': 'zip',
  'application/octet-stream': null,
};

export const ARCHIVE_MEDIA_TYPES = Object.keys(DECLARED);
export const MEDIA_TYPES_TEXT = 'application/x-tar, application/zip, application/octet-stream (format judged by the bytes) or multipart/form-data (a part named "file")';

/**
 * The archive media types hand the request stream over unread: the archive is read entry by entry
 * as it arrives, after auth (onRequest) has accepted the caller, instead of being buffered whole.
 */
export function acceptArchiveBodies(app: FastifyInstance): void {
  app.addContentTypeParser(ARCHIVE_MEDIA_TYPES, (_request, payload, done) => done(null, payload));
}

/** The uploaded archive's entries, whichever of the accepted shapes it came in; anything else is 415. */
export async function readXrayUpload(request: FastifyRequest, maxBytes: number): Promise<ArchiveEntries> {
  if (request.isMultipart()) return openArchive(await multipartFile(request, maxBytes), { declared: null, maxBytes });
  // RFC 9110 §15.5.14: refuse from the declared length before reading a byte.
  if (Number(request.headers['content-length']) > maxBytes) throw tooLarge(maxBytes);
  if (!(request.body instanceof Readable)) throw new VigilError('VIGIL_UNSUPPORTED_MEDIA_TYPE', `Send the archive as ${MEDIA_TYPES_TEXT}`);
  const mediaType = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  return openArchive(request.body, { declared: DECLARED[mediaType] ?? null, maxBytes });
}

async function multipartFile(request: FastifyRequest, maxBytes: number): Promise<Readable> {
  let part;
  try {
    // One byte over the limit so that busboy passes it on and ByteMeter answers 413: busboy itself
    // would end the file there silently (its 'limit' event may fire before the part is returned),
    // and the cut archive would read as a malformed one.
    part = await request.file({ limits: { fileSize: maxBytes + 1, files: 1, parts: 5, fields: 4 } });
  } catch (err) {
    throw multipartError(err);
  }
  if (!part || part.fieldname !== 'file') {
    part?.file.resume();
    throw new VigilError('VIGIL_VALIDATION', 'The multipart body needs the archive as a file part named "file"');
  }
  return part.file;
}

/** @fastify/multipart's and busboy's own errors are about the request; the shared handler would say 500. */
function multipartError(err: unknown): VigilError {
  if (isVigilError(err)) return err;
  const code = (err as { code?: unknown }).code;
  if (code === 'FST_PARTS_LIMIT' || code === 'FST_FILES_LIMIT' || code === 'FST_FIELDS_LIMIT') {
    return new VigilError('VIGIL_VALIDATION', 'Send one file part named "file" and nothing else');
  }
  const message = err instanceof Error ? err.message : String(err);
  return new VigilError('VIGIL_VALIDATION', `Malformed multipart body: ${message}`, { cause: err });
}

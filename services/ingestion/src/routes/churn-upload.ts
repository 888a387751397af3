import type { FastifyRequest } from 'fastify';
import { isVigilError, VigilError } from '@vigil/common';
import type { ChurnUpload } from '../domain/ingest-churn-dataset';

/** Telco is ~140 bytes a row: 20 MiB is ~150k customers, 25 times the reference file. */
export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;
const MAX_UPLOAD_TEXT = '20 MiB';

export const MULTIPART_LIMITS = { fileSize: MAX_UPLOAD_BYTES, files: 1, parts: 5, fields: 4 };

export const MEDIA_TYPES = 'text/csv, multipart/form-data (a part named "file") or application/json {"rows": [...]}';

/** The table in whichever of the three accepted shapes it came; everything else is 415. */
export async function readChurnUpload(request: FastifyRequest): Promise<ChurnUpload> {
  // Decoded as UTF-8 like the text/csv body; bytes that are not UTF-8 become U+FFFD, which the
  // domain refuses.
  if (request.isMultipart()) return { format: 'csv', text: (await readMultipartFile(request)).toString('utf8') };
  const body: unknown = request.body;
  if (typeof body === 'string') return { format: 'csv', text: body };
  if (typeof body === 'object' && body !== null && Array.isArray((body as { rows?: unknown }).rows)) {
    return { format: 'json', rows: (body as { rows: unknown[] }).rows };
  }
  // Only a request with no body and no content-type gets here: the schema checks the JSON shape.
  throw new VigilError('VIGIL_UNSUPPORTED_MEDIA_TYPE', `Send the table as ${MEDIA_TYPES}`);
}

async function readMultipartFile(request: FastifyRequest): Promise<Buffer> {
  try {
    const part = await request.file();
    if (!part || part.fieldname !== 'file') {
      throw new VigilError('VIGIL_VALIDATION', 'The multipart body needs the table as a file part named "file"');
    }
    return await part.toBuffer();
  } catch (err) {
    throw multipartError(err);
  }
}

/**
 * @fastify/multipart throws its own errors (and busboy plain ones) that the shared handler does
 * not know and would answer 500; they are all about the request, so map them here.
 */
function multipartError(err: unknown): VigilError {
  if (isVigilError(err)) return err;
  const code = (err as { code?: unknown }).code;
  if (code === 'FST_REQ_FILE_TOO_LARGE') {
    return new VigilError('VIGIL_PAYLOAD_TOO_LARGE', `The file is larger than ${MAX_UPLOAD_TEXT}`);
  }
  if (code === 'FST_PARTS_LIMIT' || code === 'FST_FILES_LIMIT' || code === 'FST_FIELDS_LIMIT') {
    return new VigilError('VIGIL_VALIDATION', 'Send one file part named "file" and nothing else');
  }
  const message = err instanceof Error ? err.message : String(err);
  return new VigilError('VIGIL_VALIDATION', `Malformed multipart body: ${message}`, { cause: err });
}

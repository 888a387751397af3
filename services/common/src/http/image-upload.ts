import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isVigilError, VigilError } from '../errors/vigil-error';

/** An X-ray as posted by a PACS integration: the image bytes and the optional identifying fields. */
export interface ImageUpload {
  image: Buffer;
  accessionNumber?: string;
  patientRef?: string;
}

const FIELDS = ['accessionNumber', 'patientRef'] as const;
const MAX_FIELD_LENGTH = 256;

/**
 * Registers multipart parsing on a route plugin (and only there) for the image upload body:
 * one file part named `image`, plus the optional text fields accessionNumber and patientRef.
 * Shared by ingestion (POST /v1/xray/studies) and inference (POST /v1/xray/predict): same body.
 */
export async function registerImageUpload(app: FastifyInstance, maxBytes: number): Promise<void> {
  await app.register(multipart, { limits: { fileSize: maxBytes, files: 1, fields: FIELDS.length, parts: FIELDS.length + 1, fieldSize: MAX_FIELD_LENGTH } });
}

/** Reads the upload; every malformed body is a 4xx problem with a reason, never a 500. */
export async function readImageUpload(request: FastifyRequest, maxBytes: number): Promise<ImageUpload> {
  if (!request.isMultipart()) {
    throw new VigilError('VIGIL_UNSUPPORTED_MEDIA_TYPE', 'Send multipart/form-data with the image in a file part named "image"');
  }
  const upload: Partial<ImageUpload> = {};
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        if (part.fieldname !== 'image') throw new VigilError('VIGIL_VALIDATION', `Unexpected file part "${part.fieldname}"; the image goes in "image"`);
        upload.image = await part.toBuffer();
      } else if ((FIELDS as readonly string[]).includes(part.fieldname)) {
        const value = String(part.value ?? '').trim();
        if (value) upload[part.fieldname as (typeof FIELDS)[number]] = value;
      } else {
        throw new VigilError('VIGIL_VALIDATION', `Unknown field "${part.fieldname}"; known: image, ${FIELDS.join(', ')}`);
      }
    }
  } catch (err) {
    throw uploadError(err, maxBytes);
  }
  if (!upload.image || upload.image.length === 0) throw new VigilError('VIGIL_VALIDATION', 'The multipart body has no image (a file part named "image")');
  return upload as ImageUpload;
}

/** @fastify/multipart and busboy throw their own errors, all about the request: map them here. */
function uploadError(err: unknown, maxBytes: number): VigilError {
  if (isVigilError(err)) return err;
  const code = (err as { code?: unknown }).code;
  if (code === 'FST_REQ_FILE_TOO_LARGE') return new VigilError('VIGIL_PAYLOAD_TOO_LARGE', `The image is larger than ${maxBytes} bytes`);
  if (code === 'FST_PARTS_LIMIT' || code === 'FST_FILES_LIMIT' || code === 'FST_FIELDS_LIMIT') {
    return new VigilError('VIGIL_VALIDATION', `Send one file part "image" and at most the fields ${FIELDS.join(', ')}`);
  }
  const message = err instanceof Error ? err.message : String(err);
  return new VigilError('VIGIL_VALIDATION', `Malformed multipart body: ${message}`, { cause: err });
}

import { readFileSync } from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { DEFAULT_IMAGE_LIMITS, type VigilApp } from '@vigil/common';
import { parseDicomBytes } from '@vigil/common/src/imaging/dicom-parse';
import { DICOM_DIR } from '../../../../tests/support/shared-data';
import { imageForm } from '../../../../tests/support/xray-fixtures';

export const dicomFile = (name: string): Buffer => readFileSync(path.join(DICOM_DIR, name));
/** The real chest radiograph of the corpus (NIH ChestX-ray14, DX, implicit VR little endian). */
export const CHEST_DICOM = 'nhsx_NIH-CXR14_chest_DX_SC_implicitLE.dcm';

/** A DICOM element as the shared parser reads it (tag like "x00100010"); undefined when absent or empty. */
export function dicomString(bytes: Uint8Array, tag: string): string | undefined {
  return parseDicomBytes(bytes, DEFAULT_IMAGE_LIMITS).dataSet.string(tag)?.replace(/\0/g, '').trim() || undefined;
}

/** A multipart/related STOW-RS body, as a PACS sends it: one part per instance. */
export function stowBody(parts: Array<{ bytes: Buffer; contentType?: string | null }>, boundary = 'vigil-stow-boundary-7f3a'): { body: Buffer; contentType: string } {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const type = part.contentType === undefined ? 'application/dicom' : part.contentType;
    chunks.push(Buffer.from(`--${boundary}\r\n${type ? `Content-Type: ${type}\r\n` : ''}Content-Length: ${part.bytes.length}\r\n\r\n`), part.bytes, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--`));
  return { body: Buffer.concat(chunks), contentType: `multipart/related; type="application/dicom"; boundary=${boundary}` };
}

/** POST /v1/xray/studies, GET /v1/xray/studies/{id} and POST /dicomweb/studies with one API key. */
export function studyClient(app: VigilApp, key: string) {
  const headers = (contentType?: string) => ({ authorization: `Bearer ${key}`, ...(contentType ? { 'content-type': contentType } : {}) });
  return {
    submit: (image: Buffer, fields: Record<string, string> = {}) => {
      const form = imageForm(image, fields);
      return app.inject({ method: 'POST', url: '/v1/xray/studies', headers: headers(form.contentType), payload: form.body });
    },
    get: (id: string) => app.inject({ method: 'GET', url: `/v1/xray/studies/${id}`, headers: headers() }),
    stow: (body: { body: Buffer; contentType: string }, studyUid?: string) =>
      app.inject({ method: 'POST', url: `/dicomweb/studies${studyUid ? `/${studyUid}` : ''}`, headers: headers(body.contentType), payload: body.body }),
  };
}

/** A pino logger that keeps every line it writes, to check what the logs contain. */
export function capturingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) }), lines };
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { KafkaAdmin, Pool, VigilApp } from '@vigil/common';
import { buildIngestionApp } from '../../../../tests/support/ingestion-app';

export interface XrayTestApp {
  app: VigilApp;
  blobDir: string;
  close(): Promise<void>;
}

/** The ingestion app wired as main.ts wires it, with a fresh blob store in a temporary folder. */
export async function buildXrayApp(
  pool: Pool,
  admin: KafkaAdmin,
  limits: { maxArchiveBytes?: number; maxImagePixels?: number } = {},
): Promise<XrayTestApp> {
  const blobDir = mkdtempSync(path.join(tmpdir(), 'vigil-blobs-'));
  const app = await buildIngestionApp(pool, admin, blobDir, limits);
  return {
    app,
    blobDir,
    async close() {
      await app.close();
      rmSync(blobDir, { recursive: true, force: true });
    },
  };
}

/** POSTs an archive the way a client would: a raw body of some media type, or a multipart form. */
export function xrayUploader(app: VigilApp, key: string) {
  const post = (payload: Buffer | string, contentType: string) =>
    app.inject({
      method: 'POST',
      url: '/v1/datasets/xray',
      headers: { authorization: `Bearer ${key}`, 'content-type': contentType },
      payload,
    });
  return {
    tar: (body: Buffer) => post(body, 'application/x-tar'),
    zip: (body: Buffer) => post(body, 'application/zip'),
    octets: (body: Buffer) => post(body, 'application/octet-stream'),
    multipart: (file: Buffer, field = 'file') => {
      const boundary = '----vigil-xray-boundary';
      const body = Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="xray.tar"\r\nContent-Type: application/x-tar\r\n\r\n`),
        file,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      return post(body, `multipart/form-data; boundary=${boundary}`);
    },
    raw: post,
    get: (id: string) => app.inject({ method: 'GET', url: `/v1/datasets/xray/${id}`, headers: { authorization: `Bearer ${key}` } }),
  };
}

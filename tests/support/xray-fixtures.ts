import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { pack } from 'tar-stream';
import { XRAY_DIR } from './shared-data';

export interface ManifestRow {
  path: string;
  label: string;
  subtype: string;
  patient_id: string;
}

export const xrayManifest = (): ManifestRow[] => parse(readFileSync(path.join(XRAY_DIR, 'manifest.csv'), 'utf8'), { columns: true });

/**
 * A small, balanced slice of the provided X-ray set: `perSubtype` images each of normal, bacterial
 * and viral, one image per patient, taken in manifest order (deterministic).
 */
export function xraySample(perSubtype: number): ManifestRow[] {
  const seen = new Set<string>();
  const picked: ManifestRow[] = [];
  const count: Record<string, number> = {};
  for (const row of xrayManifest()) {
    if (seen.has(row.patient_id) || (count[row.subtype] ?? 0) >= perSubtype) continue;
    seen.add(row.patient_id);
    count[row.subtype] = (count[row.subtype] ?? 0) + 1;
    picked.push(row);
  }
  return picked;
}

/** A tar archive holding manifest.csv and the images of `rows`, as POST /v1/datasets/xray takes it. */
export async function xrayTar(rows: ManifestRow[]): Promise<Buffer> {
  const tar = pack();
  const chunks: Buffer[] = [];
  tar.on('data', (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    tar.on('end', resolve);
    tar.on('error', reject);
  });
  const manifest = ['path,label,subtype,patient_id', ...rows.map((r) => `${r.path},${r.label},${r.subtype},${r.patient_id}`)].join('\n');
  tar.entry({ name: 'manifest.csv' }, manifest);
  for (const r of rows) tar.entry({ name: r.path }, readFileSync(path.join(XRAY_DIR, r.path)));
  tar.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** A multipart/form-data body with the image in the part "image" and optional text fields. */
export function imageForm(image: Buffer, fields: Record<string, string> = {}, filename = 'upload.bin'): { body: Buffer; contentType: string } {
  const boundary = `----vigil${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  }
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`));
  parts.push(image, Buffer.from(`\r\n--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

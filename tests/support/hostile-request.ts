import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { DICOM_DIR } from './shared-data';
import { imageForm } from './xray-fixtures';

/** One case of tests/corpus/hostile-requests: the request as data, its body built at run time. */
export interface HostileRequest {
  service: 'inference' | 'ingestion';
  method: string;
  path: string;
  headers?: Record<string, string>;
  repeat?: number;
  body:
    | { json: unknown }
    | { text: string }
    | { zeros: number }
    | { churnCustomer: Record<string, unknown>; longField?: { field: string; length: number } }
    | { oipNested: { input: string; depth: number } }
    | { dicom: { file: string; tag: string; encoding: 'explicit-short' | 'implicit'; length: number } };
}

/** Rewrites the length field of the first element with `tag` (GGGG,EEEE) after the preamble. */
export function withElementLength(bytes: Buffer, tag: string, encoding: 'explicit-short' | 'implicit', length: number): Buffer {
  const [group, element] = tag.split(',').map((h) => parseInt(h, 16));
  const out = Buffer.from(bytes);
  for (let i = 132; i < out.length - 8; i += 2) {
    if (out.readUInt16LE(i) === group && out.readUInt16LE(i + 2) === element) {
      if (encoding === 'explicit-short') out.writeUInt16LE(length, i + 6);
      else out.writeUInt32LE(length, i + 4);
      return out;
    }
  }
  throw new Error(`no element ${tag}`);
}

/** The body and its content type for a case; `customer` is a valid Telco row without its label. */
export function buildBody(req: HostileRequest, customer: Record<string, unknown>): { body: Buffer; contentType: string } {
  const json = (value: unknown) => ({ body: Buffer.from(JSON.stringify(value)), contentType: 'application/json' });
  const b = req.body;
  if ('json' in b) return json(b.json);
  if ('text' in b) return { body: Buffer.from(b.text), contentType: 'text/plain' };
  if ('zeros' in b) return { body: Buffer.alloc(b.zeros, '0'), contentType: 'application/json' };
  if ('churnCustomer' in b) {
    const row = { ...customer, ...b.churnCustomer, ...(b.longField ? { [b.longField.field]: 'x'.repeat(b.longField.length) } : {}) };
    return json({ customers: [row] });
  }
  if ('oipNested' in b) {
    const { input, depth } = b.oipNested;
    const data = `${'['.repeat(depth)}1${']'.repeat(depth)}`;
    return { body: Buffer.from(`{"inputs":[{"name":"${input}","shape":[1,1],"datatype":"FP32","data":${data}}]}`), contentType: 'application/json' };
  }
  const { file, tag, encoding, length } = b.dicom;
  const form = imageForm(withElementLength(readFileSync(path.join(DICOM_DIR, file)), tag, encoding, length), { accessionNumber: 'ACC-HOSTILE' });
  return { body: form.body, contentType: form.contentType };
}

/** Sends with node:http at full speed, so a socket closed under the upload shows as an error. */
export function send(url: string, method: string, headers: Record<string, string>, body: Buffer) {
  return new Promise<{ status: number; contentType: string; json: Record<string, unknown> } | { error: string }>((resolve) => {
    const req = http.request(url, { method, headers: { ...headers, 'content-length': String(body.length) } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        let parsed: Record<string, unknown>;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = { unparsable: text.slice(0, 200) };
        }
        resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), json: parsed });
      });
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    req.end(body);
  });
}

import { VigilError } from '@vigil/common';

/**
 * multipart/related (RFC 2387) as DICOMweb sends it (PS3.18 8.6.1.2): one part per instance.
 * @fastify/multipart (busboy) reads multipart/form-data only, and wants a Content-Disposition name
 * that STOW-RS parts do not have. Each instance has to be held whole anyway (dcmjs and the decoders
 * take one buffer), so the body is read whole, bounded by the route's bodyLimit, and split here
 * with Buffer.indexOf: RFC 2046 5.1.1's grammar is this much code, not worth a dependency.
 */
export interface BodyPart {
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: Buffer;
}

export interface MediaType {
  /** type/subtype in lower case, without parameters. */
  essence: string;
  /** Parameter names in lower case; quoted values unquoted. */
  params: Record<string, string>;
}

/** RFC 9110 8.3.1: type "/" subtype *( OWS ";" OWS parameter ). */
export function parseMediaType(header: string | undefined): MediaType {
  const [essence = '', ...rest] = splitParams(header ?? '');
  const params: Record<string, string> = {};
  for (const item of rest) {
    const eq = item.indexOf('=');
    if (eq <= 0) continue;
    let value = item.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1).replace(/\\(.)/g, '$1');
    params[item.slice(0, eq).trim().toLowerCase()] = value;
  }
  return { essence: essence.trim().toLowerCase(), params };
}

/** Splits on ";" outside quoted strings. */
function splitParams(header: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < header.length; i++) {
    const c = header[i]!;
    if (quoted && c === '\\') {
      current += c + (header[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === ';' && !quoted) {
      out.push(current);
      current = '';
    } else current += c;
  }
  out.push(current);
  return out;
}

const CRLF = Buffer.from('\r\n');
const HEADERS_END = Buffer.from('\r\n\r\n');
// RFC 2046 5.1.1: characters from bchars, not ending in a space; at most 70 of them, but Orthanc's
// STOW-RS client sends two UUIDs joined by "-" (73), so up to 200 are accepted.
const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{0,199}[0-9A-Za-z'()+_,\-./:=?]$/;

const malformed = (why: string) => new VigilError('VIGIL_VALIDATION', `Malformed multipart/related body: ${why}`);

/** The body parts between the first delimiter and the close delimiter; preamble and epilogue are ignored. */
export function parseMultipart(body: Buffer, boundary: string): BodyPart[] {
  if (!BOUNDARY.test(boundary)) throw malformed('the boundary parameter is missing or not a valid boundary');
  const dashBoundary = Buffer.from(`--${boundary}`);
  const delimiter = Buffer.concat([CRLF, dashBoundary]);
  // The first delimiter may open the body without the CRLF that belongs to every later one.
  let at: number;
  if (body.subarray(0, dashBoundary.length).equals(dashBoundary)) at = dashBoundary.length;
  else {
    const first = body.indexOf(delimiter);
    if (first < 0) throw malformed('no boundary delimiter');
    at = first + delimiter.length;
  }
  const parts: BodyPart[] = [];
  for (;;) {
    if (body[at] === 0x2d && body[at + 1] === 0x2d) return parts; // "--": the close delimiter
    while (body[at] === 0x20 || body[at] === 0x09) at++; // transport padding
    if (!body.subarray(at, at + 2).equals(CRLF)) throw malformed('a boundary delimiter is not followed by CRLF');
    at += 2;
    // A part may have no header fields at all: then its body starts right after the CRLF.
    const headersEnd = body.subarray(at, at + 2).equals(CRLF) ? at : body.indexOf(HEADERS_END, at);
    if (headersEnd < 0) throw malformed(`part ${parts.length + 1} has no end of header fields`);
    const headers = parseHeaders(body.toString('latin1', at, headersEnd));
    const start = headersEnd === at ? at + 2 : headersEnd + HEADERS_END.length;
    const end = body.indexOf(delimiter, start);
    if (end < 0) throw malformed(`part ${parts.length + 1} is not closed by a boundary delimiter`);
    parts.push({ headers, body: body.subarray(start, end) });
    at = end + delimiter.length;
  }
}

function parseHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    if (!line) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw malformed('a part header field has no name');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

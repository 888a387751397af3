import fs from 'node:fs';
import path from 'node:path';
import { DICOM_DIR } from '../../../../../tests/support/shared-data';

/** One row of shared/data/dicom/manifest.csv (only the columns the tests read). */
export interface CorpusFile {
  file: string;
  bytes: number;
  sha256: string;
  transfer_syntax_uid: string;
  transfer_syntax: string;
  modality: string;
  photometric: string;
  rows: string;
  columns: string;
  frames: string;
  bits_stored: string;
  has_pixel_data: string;
  notes: string;
}

export const corpusPath = (file: string): string => path.join(DICOM_DIR, file);
export const readCorpusFile = (file: string): Uint8Array => new Uint8Array(fs.readFileSync(corpusPath(file)));

/** The manifest rows; RFC 4180 quoting, since notes contain commas. */
export function readManifest(): CorpusFile[] {
  const [header, ...rows] = parseCsv(fs.readFileSync(path.join(DICOM_DIR, 'manifest.csv'), 'utf8'));
  return rows.filter((row) => row.length === header!.length).map((row) => Object.fromEntries(header!.map((name, i) => [name, row[i]!])) as unknown as CorpusFile);
}

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n') { row.push(field.replace(/\r$/, '')); rows.push(row); row = []; field = ''; }
    else field += c;
  }
  if (field || row.length) rows.push([...row, field]);
  return rows;
}

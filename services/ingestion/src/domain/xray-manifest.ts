import { CsvError, parse } from 'csv-parse/sync';
import { VigilError } from '@vigil/common';
import { MANIFEST_NAME } from './xray-paths';

/** The columns a manifest must have; any others (the provided manifest has bytes, sha256) are ignored. */
export const MANIFEST_COLUMNS = ['path', 'label', 'subtype', 'patient_id'] as const;
export type ManifestColumn = (typeof MANIFEST_COLUMNS)[number];

/** One data row as written, cells trimmed; `row` counts data rows from 1. */
export interface ManifestRow {
  row: number;
  /** The raw cells by column; undefined when the row is shorter than the header. */
  cells: Record<ManifestColumn, string | undefined>;
  /** Number of cells, to report ragged rows. */
  width: number;
}

export interface Manifest {
  /** Where the manifest sits ('' = archive root); its paths are relative to this folder. */
  folder: string;
  headerWidth: number;
  rows: ManifestRow[];
}

/** A manifest line is ~150 bytes; a "record" of 64 KiB means the file is not line-based CSV. */
const MAX_RECORD_BYTES = 64 * 1024;

/**
 * Decodes manifest.csv. The archive itself was readable, so a manifest that is not a CSV table with
 * the four columns is unprocessable content (422), not a malformed request.
 */
export function parseManifest(text: string, folder: string): Manifest {
  const name = folder ? `${folder}/${MANIFEST_NAME}` : MANIFEST_NAME;
  if (text.includes('\uFFFD') || text.includes('\u0000')) throw unprocessable(`${name} is not UTF-8 text`);
  let records: string[][];
  try {
    records = parse(text, {
      record_delimiter: ['\r\n', '\n'],
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
      max_record_size: MAX_RECORD_BYTES,
    });
  } catch (err) {
    const where = err instanceof CsvError && typeof err.lines === 'number' ? ` (line ${err.lines})` : '';
    throw unprocessable(`${name} is not a readable CSV file${where}`, { cause: err });
  }
  const [header, ...data] = records;
  if (!header) throw unprocessable(`${name} is empty: expected the header ${MANIFEST_COLUMNS.join(',')} and one row per image`);
  const names = header.map((h) => h.trim().toLowerCase());
  const missing = MANIFEST_COLUMNS.filter((c) => !names.includes(c));
  if (missing.length > 0) {
    throw unprocessable(`${name} lacks the column(s) ${missing.join(', ')}; it needs ${MANIFEST_COLUMNS.join(', ')} (others are ignored)`, {
      details: { missingColumns: missing },
    });
  }
  if (data.length === 0) throw unprocessable(`${name} has a header but no rows`);
  const index = Object.fromEntries(MANIFEST_COLUMNS.map((c) => [c, names.indexOf(c)])) as Record<ManifestColumn, number>;
  const rows = data.map((cells, i) => ({
    row: i + 1,
    width: cells.length,
    cells: Object.fromEntries(MANIFEST_COLUMNS.map((c) => [c, cells[index[c]]?.trim()])) as ManifestRow['cells'],
  }));
  return { folder, headerWidth: header.length, rows };
}

function unprocessable(message: string, options: { details?: Record<string, unknown>; cause?: unknown } = {}): VigilError {
  return new VigilError('VIGIL_UNPROCESSABLE', `${message}; nothing was imported`, options);
}

import { CsvError, parse } from 'csv-parse/sync';
import { VigilError } from '@vigil/common';

export interface CsvTable {
  header: string[];
  /** Data rows in file order; blank lines are skipped and do not count. */
  rows: string[][];
}

/**
 * A Telco row is ~150 bytes. A "record" far longer than that means the bytes are not line-based
 * CSV (a binary file, a one-line dump); stopping there keeps the parser from buffering 20 MiB.
 */
const MAX_RECORD_BYTES = 64 * 1024;

/**
 * Decodes an uploaded CSV file (UTF-8 decoded by the transport). Text that is not CSV is a
 * malformed request (400); whether the table is a valid churn table is decided afterwards (422).
 */
export function decodeCsv(text: string): CsvTable {
  checkIsText(text);
  if (text.trim() === '') throw new VigilError('VIGIL_UNPROCESSABLE', 'The file is empty: expected a header line and at least one data row');
  let records: string[][];
  try {
    records = parse(text, {
      // CRLF (the Telco export) and LF both end a record; a CR inside quotes stays data.
      record_delimiter: ['\r\n', '\n'],
      // Excel writes a UTF-8 byte order mark; it is not part of the first column name.
      bom: true,
      skip_empty_lines: true,
      // Rows with the wrong number of fields are reported per row, with the others, not thrown.
      relax_column_count: true,
      max_record_size: MAX_RECORD_BYTES,
    });
  } catch (err) {
    throw new VigilError('VIGIL_VALIDATION', `The body is not a readable CSV file: ${describe(err)}`, { cause: err });
  }
  const [header, ...rows] = records;
  if (!header) throw new VigilError('VIGIL_UNPROCESSABLE', 'The file is empty: expected a header line and at least one data row');
  return { header: header.map((name) => name.trim()), rows };
}

function checkIsText(text: string): void {
  // U+FFFD is what the UTF-8 decoder left of bytes that are not UTF-8 (a gzip, a spreadsheet);
  // NUL is valid UTF-8 but never appears in a text table. Either way: not a CSV file, and
  // saying so beats a confusing "unexpected column" about the garbage in line 1.
  if (text.includes('\uFFFD') || text.includes('\u0000')) {
    throw new VigilError('VIGIL_VALIDATION', 'The body is not UTF-8 text; upload the table as a CSV file');
  }
}

function describe(err: unknown): string {
  if (err instanceof CsvError) {
    const line = typeof err.lines === 'number' ? ` (line ${err.lines})` : '';
    // csv-parse's messages embed the offending record; keep only the first sentence.
    return `${err.message.split(':')[0]}${line}`;
  }
  return 'unexpected parser error';
}

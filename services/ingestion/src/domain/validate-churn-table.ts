import { VigilError } from '@vigil/common';
import type { CsvTable } from './churn-csv';
import { CHURN_COLUMNS, parseCell, type ChurnColumn, type ChurnRecord } from './churn-table';

export interface RowError {
  /** 1-based data row: the first row after the header (CSV) or rows[0] (JSON) is row 1. */
  row: number;
  column?: string;
  message: string;
}

/** Enough to fix a file in one pass without a 10 MB problem document for a file that is all wrong. */
export const MAX_REPORTED_ERRORS = 100;
/** Header names are echoed back; a garbage header line must not be echoed whole. */
const MAX_ECHOED_NAMES = 25;
const MAX_ECHOED_NAME_LENGTH = 60;

/**
 * Collects row errors, keeping only the first MAX_REPORTED_ERRORS: a 20 MiB file of bad rows has
 * millions of bad cells, and holding an object for each would cost hundreds of MB.
 */
class ErrorLog {
  readonly kept: RowError[] = [];
  count = 0;
  invalidRows = 0;
  private lastRow = 0;

  push(error: RowError): void {
    this.count++;
    if (error.row !== this.lastRow) this.invalidRows++;
    this.lastRow = error.row;
    if (this.kept.length < MAX_REPORTED_ERRORS) this.kept.push(error);
  }
}

const KNOWN: ReadonlySet<string> = new Set(CHURN_COLUMNS);
const ROW_NUMBERS = 'Rows are numbered from 1, counting data rows only (CSV: header and blank lines excluded; JSON: rows[0] is row 1)';

/** Validates a decoded CSV table: its header once, then every row. */
export function validateCsvTable(table: CsvTable): ChurnRecord[] {
  checkHeader(table.header);
  const width = table.header.length;
  return validateRows(table.rows.length, (i, errors) => {
    const cells = table.rows[i];
    if (cells.length !== width) {
      errors.push({ row: i + 1, message: `has ${cells.length} fields; the header has ${width}` });
      return null;
    }
    return Object.fromEntries(table.header.map((name, c) => [name, cells[c]]));
  });
}

/** Validates JSON rows: each must be an object with exactly the Telco keys. */
export function validateJsonRows(rows: readonly unknown[]): ChurnRecord[] {
  return validateRows(rows.length, (i, errors) => {
    const raw = rows[i];
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      errors.push({ row: i + 1, message: 'must be an object keyed by Telco column name' });
      return null;
    }
    for (const key of Object.keys(raw)) {
      if (!KNOWN.has(key)) errors.push({ row: i + 1, column: key.slice(0, MAX_ECHOED_NAME_LENGTH), message: 'is not a Telco column' });
    }
    return raw as Record<string, unknown>;
  });
}

/**
 * Runs every row through the column rules and collects the errors of all of them, so one answer
 * lists what to fix; any error rejects the whole table (a partial import would be a dataset
 * nobody asked for).
 */
function validateRows(
  count: number,
  rowAt: (index: number, errors: ErrorLog) => Record<string, unknown> | null,
): ChurnRecord[] {
  if (count === 0) throw new VigilError('VIGIL_UNPROCESSABLE', 'The table has a header but no data rows');
  const errors = new ErrorLog();
  const records: ChurnRecord[] = [];
  const firstRowOf = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const raw = rowAt(i, errors);
    if (!raw) continue;
    const record = {} as ChurnRecord;
    for (const column of CHURN_COLUMNS) {
      const cell = parseCell(column, raw[column]);
      if (cell.ok) record[column] = cell.value;
      else errors.push({ row: i + 1, column, message: cell.message });
    }
    const id = record.customerID;
    if (typeof id === 'string') {
      const first = firstRowOf.get(id);
      if (first === undefined) firstRowOf.set(id, i + 1);
      else errors.push({ row: i + 1, column: 'customerID', message: `duplicates row ${first} ("${id}")` });
    }
    records.push(record);
  }
  if (errors.count > 0) throw rowErrors(errors, count);
  return records;
}

function checkHeader(header: readonly string[]): void {
  const seen = new Set<string>();
  const duplicated: string[] = [];
  for (const name of header) {
    if (seen.has(name)) duplicated.push(name);
    seen.add(name);
  }
  const missing = CHURN_COLUMNS.filter((c: ChurnColumn) => !seen.has(c));
  const unexpected = [...seen].filter((name) => !KNOWN.has(name)).slice(0, MAX_ECHOED_NAMES).map((n) => n.slice(0, MAX_ECHOED_NAME_LENGTH));
  if (missing.length === 0 && unexpected.length === 0 && duplicated.length === 0) return;
  const parts = [
    missing.length ? `missing ${missing.join(', ')}` : '',
    unexpected.length ? `unexpected ${unexpected.map((n) => JSON.stringify(n)).join(', ')}` : '',
    duplicated.length ? `repeated ${duplicated.slice(0, MAX_ECHOED_NAMES).join(', ')}` : '',
  ].filter(Boolean);
  throw new VigilError('VIGIL_UNPROCESSABLE', `The header must hold exactly the 21 Telco columns (any order): ${parts.join('; ')}`, {
    details: { missingColumns: missing, unexpectedColumns: unexpected, duplicateColumns: duplicated.slice(0, MAX_ECHOED_NAMES) },
  });
}

function rowErrors(errors: ErrorLog, rowCount: number): VigilError {
  return new VigilError(
    'VIGIL_UNPROCESSABLE',
    `${errors.invalidRows} of ${rowCount} rows are invalid; nothing was imported. ${ROW_NUMBERS}.`,
    {
      details: {
        errors: errors.kept,
        errorCount: errors.count,
        invalidRowCount: errors.invalidRows,
        truncated: errors.count > errors.kept.length,
      },
    },
  );
}

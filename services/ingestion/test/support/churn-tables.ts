import { readFileSync } from 'node:fs';
import { TELCO_CSV } from '../../../../tests/support/shared-data';
import { CHURN_COLUMNS, type ChurnColumn } from '../../src/domain/churn-table';

/** The Telco training export (5,634 rows, CRLF, a few blank TotalCharges). */
export const REAL_FILE = TELCO_CSV;
export const realFile = (): Buffer => readFileSync(REAL_FILE);

export type TelcoRow = Record<ChurnColumn, string>;

/** A valid Telco row as the CSV export spells it; override what a test is about. */
export function telcoRow(customerID: string, overrides: Partial<TelcoRow> = {}): TelcoRow {
  return {
    customerID, gender: 'Female', SeniorCitizen: '0', Partner: 'Yes', Dependents: 'No', tenure: '12',
    PhoneService: 'Yes', MultipleLines: 'No', InternetService: 'DSL', OnlineSecurity: 'No', OnlineBackup: 'Yes',
    DeviceProtection: 'No', TechSupport: 'No', StreamingTV: 'No', StreamingMovies: 'No', Contract: 'Month-to-month',
    PaperlessBilling: 'Yes', PaymentMethod: 'Electronic check', MonthlyCharges: '29.85', TotalCharges: '358.2', Churn: 'No',
    ...overrides,
  };
}

/** CSV text with the given rows, columns in Telco order unless `columns` says otherwise. */
export function telcoCsv(rows: TelcoRow[], { eol = '\r\n', columns = [...CHURN_COLUMNS] as string[] } = {}): string {
  const quote = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const lines = [columns.join(','), ...rows.map((r) => columns.map((c) => quote((r as Record<string, string>)[c] ?? '')).join(','))];
  return lines.join(eol) + eol;
}

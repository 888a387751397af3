/**
 * The Telco customer churn table: its 21 columns, what each may hold, and the canonical typed
 * value of a cell. Spellings are the ones in the IBM Telco data set that the churn models are
 * trained on (checked against the 5,634-row training export), so a value the models never saw is
 * rejected at the door instead of becoming an unknown category at training or scoring time.
 */

export const CHURN_COLUMNS = [
  'customerID', 'gender', 'SeniorCitizen', 'Partner', 'Dependents', 'tenure', 'PhoneService', 'MultipleLines',
  'InternetService', 'OnlineSecurity', 'OnlineBackup', 'DeviceProtection', 'TechSupport', 'StreamingTV',
  'StreamingMovies', 'Contract', 'PaperlessBilling', 'PaymentMethod', 'MonthlyCharges', 'TotalCharges', 'Churn',
] as const;

export type ChurnColumn = (typeof CHURN_COLUMNS)[number];

/** One validated row: Telco column names, numbers as numbers, null for a blank TotalCharges. */
export type ChurnRecord = Record<ChurnColumn, string | number | null>;

type Rule =
  | { kind: 'id' }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'flag' }
  | { kind: 'count' }
  | { kind: 'amount'; blankIsNull: boolean };

const YES_NO = ['Yes', 'No'] as const;
const INTERNET_ADDON = ['Yes', 'No', 'No internet service'] as const;

const RULES: Record<ChurnColumn, Rule> = {
  customerID: { kind: 'id' },
  gender: { kind: 'enum', values: ['Male', 'Female'] },
  SeniorCitizen: { kind: 'flag' },
  Partner: { kind: 'enum', values: YES_NO },
  Dependents: { kind: 'enum', values: YES_NO },
  tenure: { kind: 'count' },
  PhoneService: { kind: 'enum', values: YES_NO },
  MultipleLines: { kind: 'enum', values: ['Yes', 'No', 'No phone service'] },
  InternetService: { kind: 'enum', values: ['DSL', 'Fiber optic', 'No'] },
  OnlineSecurity: { kind: 'enum', values: INTERNET_ADDON },
  OnlineBackup: { kind: 'enum', values: INTERNET_ADDON },
  DeviceProtection: { kind: 'enum', values: INTERNET_ADDON },
  TechSupport: { kind: 'enum', values: INTERNET_ADDON },
  StreamingTV: { kind: 'enum', values: INTERNET_ADDON },
  StreamingMovies: { kind: 'enum', values: INTERNET_ADDON },
  Contract: { kind: 'enum', values: ['Month-to-month', 'One year', 'Two year'] },
  PaperlessBilling: { kind: 'enum', values: YES_NO },
  PaymentMethod: {
    kind: 'enum',
    values: ['Electronic check', 'Mailed check', 'Bank transfer (automatic)', 'Credit card (automatic)'],
  },
  MonthlyCharges: { kind: 'amount', blankIsNull: false },
  // Blank for customers in their first month (tenure 0): the source system has not billed them yet.
  TotalCharges: { kind: 'amount', blankIsNull: true },
  // The label of a training set, so it is required.
  Churn: { kind: 'enum', values: YES_NO },
};

/** Longer ids are not Telco ids; the cap also bounds what one bad row can echo back in an error. */
const MAX_ID_LENGTH = 64;
// Plain decimal notation only: Number() would also accept "0x1F", "Infinity" and "1e400".
const DECIMAL = /^\d+(\.\d*)?$|^\.\d+$/;

export type CellResult = { ok: true; value: string | number | null } | { ok: false; message: string };

const ok = (value: string | number | null): CellResult => ({ ok: true, value });
const fail = (message: string): CellResult => ({ ok: false, message });

/**
 * Canonical value of one cell. CSV cells arrive as strings; JSON cells may also be numbers (a
 * numeric string and the number it spells give the same canonical value, hence the same hash).
 * Surrounding whitespace is not significant in the Telco export (blank TotalCharges is " ").
 */
export function parseCell(column: ChurnColumn, raw: unknown): CellResult {
  const rule = RULES[column];
  if (raw === undefined) return fail('is missing');
  const text = typeof raw === 'string' ? raw.trim() : raw;
  switch (rule.kind) {
    case 'id':
      if (typeof text !== 'string' || text === '') return fail('must be a non-empty string');
      return text.length > MAX_ID_LENGTH ? fail(`must be at most ${MAX_ID_LENGTH} characters`) : ok(text);
    case 'enum':
      return typeof text === 'string' && rule.values.includes(text) ? ok(text) : fail(`must be one of ${quoteAll(rule.values)}`);
    case 'flag': {
      const n = toNumber(text);
      return n === 0 || n === 1 ? ok(n) : fail('must be 0 or 1');
    }
    case 'count': {
      const n = toNumber(text);
      return n !== null && Number.isSafeInteger(n) ? ok(n) : fail('must be a whole number ≥ 0');
    }
    case 'amount': {
      if (rule.blankIsNull && (text === '' || text === null)) return ok(null);
      const n = toNumber(text);
      return n === null ? fail(rule.blankIsNull ? 'must be a number ≥ 0 or blank' : 'must be a number ≥ 0') : ok(n);
    }
  }
}

/** A finite number ≥ 0 from a JSON number or a decimal string; null for anything else. */
function toNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : null;
  if (typeof value !== 'string' || !DECIMAL.test(value)) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

function quoteAll(values: readonly string[]): string {
  return values.map((v) => `"${v}"`).join(', ');
}

/**
 * The raw input schema of the churn model (Telco customer churn) and how raw values are read.
 * Shared by training (fitting the encoding), inference (building ONNX feeds) and the REST layer
 * (validating incoming rows), so that all three read a value the same way.
 */

export type ChurnFeatureKind = 'categorical' | 'numeric';

export interface ChurnFeature {
  readonly name: string;
  readonly kind: ChurnFeatureKind;
}

/** A raw record as ingested (CSV strings) or posted (JSON numbers); null or '' is a missing value. */
export type ChurnRow = Record<string, string | number | null>;

/** Identifier and label columns: present in training data, never model inputs. */
export const CHURN_ID_COLUMN = 'customerID';
export const CHURN_LABEL_COLUMN = 'Churn';

const categorical = (name: string): ChurnFeature => ({ name, kind: 'categorical' });
const numeric = (name: string): ChurnFeature => ({ name, kind: 'numeric' });

/** The 19 model inputs, in the order of the encoded vector and of the ONNX graph inputs. */
export const CHURN_FEATURES: readonly ChurnFeature[] = Object.freeze([
  categorical('gender'),
  numeric('SeniorCitizen'),
  categorical('Partner'),
  categorical('Dependents'),
  numeric('tenure'),
  categorical('PhoneService'),
  categorical('MultipleLines'),
  categorical('InternetService'),
  categorical('OnlineSecurity'),
  categorical('OnlineBackup'),
  categorical('DeviceProtection'),
  categorical('TechSupport'),
  categorical('StreamingTV'),
  categorical('StreamingMovies'),
  categorical('Contract'),
  categorical('PaperlessBilling'),
  categorical('PaymentMethod'),
  numeric('MonthlyCharges'),
  numeric('TotalCharges'),
]);

/** Numeric columns that may be blank: TotalCharges is empty for customers in their first month. */
const NULLABLE_NUMERIC = new Set(['TotalCharges']);
const NON_NEGATIVE = new Set(['tenure', 'MonthlyCharges', 'TotalCharges']);

/**
 * Reads a numeric cell: numbers as they are, numeric strings parsed, anything missing or
 * unparsable as NaN (which the encoding imputes). Non-finite numbers count as missing too, since
 * the ONNX graph can only recognise NaN.
 */
export function readNumeric(value: string | number | null | undefined): number {
  if (typeof value === 'number') return Number.isFinite(value) ? value : NaN;
  if (typeof value !== 'string') return NaN;
  const trimmed = value.trim();
  if (trimmed === '') return NaN;
  const parsed = Number(trimmed);
  return Number.isFinite(parsed) ? parsed : NaN;
}

/**
 * Reads a categorical cell. Exact string match (no trimming or case folding) because the ONNX graph
 * compares strings byte for byte; a missing value becomes '' which matches no category.
 */
export function readCategorical(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : String(value);
}

function isBlank(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === 'string' && value.trim() === '');
}

/**
 * Problems with one incoming raw row, as human-readable strings (empty when the row is usable).
 * Unknown category values are accepted on purpose: the model encodes them as "no category" and a
 * new plan or payment method should not make the API reject a customer.
 */
export function validateChurnRow(row: unknown): string[] {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) return ['row must be an object'];
  const record = row as Record<string, unknown>;
  const problems: string[] = [];
  for (const feature of CHURN_FEATURES) {
    const value = record[feature.name];
    if (!(feature.name in record) || value === undefined) {
      problems.push(`${feature.name}: missing`);
      continue;
    }
    if (feature.kind === 'categorical') {
      if (typeof value !== 'string') problems.push(`${feature.name}: must be a string`);
      else if (value.trim() === '') problems.push(`${feature.name}: must not be empty`);
      continue;
    }
    if (isBlank(value)) {
      if (!NULLABLE_NUMERIC.has(feature.name)) problems.push(`${feature.name}: must not be empty`);
      continue;
    }
    if (typeof value !== 'number' && typeof value !== 'string') {
      problems.push(`${feature.name}: must be a number`);
      continue;
    }
    const parsed = readNumeric(value);
    if (Number.isNaN(parsed)) {
      problems.push(`${feature.name}: must be a finite number`);
    } else if (NON_NEGATIVE.has(feature.name) && parsed < 0) {
      problems.push(`${feature.name}: must not be negative`);
    } else if (feature.name === 'SeniorCitizen' && parsed !== 0 && parsed !== 1) {
      problems.push('SeniorCitizen: must be 0 or 1');
    } else if (feature.name === 'tenure' && !Number.isInteger(parsed)) {
      problems.push('tenure: must be a whole number of months');
    }
  }
  return problems;
}

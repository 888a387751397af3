/**
 * How a raw churn row becomes the numeric vector a model reads. One definition for training,
 * inference and the explanation; the ONNX export (training/adapters/onnx) builds the same steps
 * as graph nodes.
 */
import { readCategorical, readNumeric, type ChurnRow } from './churn-features';

// Bound once: under jest's vm sandbox every lookup of the global `Math` costs ~40x, and these run in hot loops.
const { log, max } = Math;

export interface CategoricalEncoding {
  name: string;
  kind: 'categorical';
  /** One-hot columns, in this order; a value outside the list encodes as all zeros. */
  categories: string[];
}

export interface NumericEncoding {
  name: string;
  kind: 'numeric';
  /** Training median, float32-representable so a float32 graph imputes exactly the same value. */
  median: number;
  /** Mean and standard deviation of the imputed training values (used when standardized). */
  mean: number;
  std: number;
  /**
   * When present, the feature feeds a second column, ln(1 + max(value, 0)), with the mean and
   * standard deviation of that column over the training rows. It lets the linear model bend: churn
   * falls steeply over the first year of tenure and slowly after. Both columns belong to the one
   * raw feature, so the explanation still attributes exactly to it.
   */
  log?: { mean: number; std: number };
}

export type FeatureEncoding = CategoricalEncoding | NumericEncoding;

export interface ChurnEncoding {
  /** 'standardized': (x - mean) / std, for the linear model; 'raw': imputed value, for trees. */
  numeric: 'standardized' | 'raw';
  /** One entry per CHURN_FEATURES element, same order. */
  features: FeatureEncoding[];
}

function featureWidth(f: FeatureEncoding): number {
  if (f.kind === 'categorical') return f.categories.length;
  return f.log ? 2 : 1;
}

export function encodedWidth(encoding: ChurnEncoding): number {
  return encoding.features.reduce((n, f) => n + featureWidth(f), 0);
}

/** For each encoded column, the index of its raw feature in `encoding.features`. */
export function encodedColumnFeature(encoding: ChurnEncoding): Int32Array {
  const out = new Int32Array(encodedWidth(encoding));
  let col = 0;
  encoding.features.forEach((f, i) => {
    for (let k = 0; k < featureWidth(f); k++) out[col++] = i;
  });
  return out;
}

/** Human-readable names of the encoded columns, e.g. `Contract=Two year`, `tenure`, `log1p(tenure)`. */
export function encodedColumnNames(encoding: ChurnEncoding): string[] {
  return encoding.features.flatMap((f) => {
    if (f.kind === 'categorical') return f.categories.map((c) => `${f.name}=${c}`);
    return f.log ? [f.name, `log1p(${f.name})`] : [f.name];
  });
}

/**
 * ln(1 + max(v, 0)) written the way the ONNX graph computes it (Max, Add, Log in double): there is
 * no Log1p operator, and for whole months 1 + v is exact, so both sides take the same logarithm.
 */
export function logColumn(value: number): number {
  return log(1 + max(value, 0));
}

export function encodeRow(encoding: ChurnEncoding, row: ChurnRow): Float64Array {
  const out = new Float64Array(encodedWidth(encoding));
  const standardized = encoding.numeric === 'standardized';
  let col = 0;
  for (const f of encoding.features) {
    if (f.kind === 'categorical') {
      const hit = f.categories.indexOf(readCategorical(row[f.name]));
      if (hit >= 0) out[col + hit] = 1;
      col += f.categories.length;
    } else {
      const raw = readNumeric(row[f.name]);
      const value = Number.isNaN(raw) ? f.median : raw;
      out[col++] = standardized ? (value - f.mean) / f.std : value;
      if (f.log) {
        const l = logColumn(value);
        out[col++] = standardized ? (l - f.log.mean) / f.log.std : l;
      }
    }
  }
  return out;
}

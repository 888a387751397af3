import {
  CHURN_FEATURES,
  logColumn,
  readCategorical,
  readNumeric,
  type ChurnEncoding,
  type ChurnRow,
  type FeatureEncoding,
  type NumericEncoding,
} from '@vigil/common';

function meanAndStd(values: readonly number[]): { mean: number; std: number } {
  const mean = values.reduce((s, v) => s + v, 0) / Math.max(1, values.length);
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / Math.max(1, values.length);
  return { mean, std: variance > 0 ? Math.sqrt(variance) : 1 }; // a constant column stays finite
}

function median(sorted: readonly number[]): number {
  if (sorted.length === 0) return 0;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Learns the encoding from training rows only (never from validation or holdout rows):
 * categories seen (sorted, so the layout does not depend on row order) and numeric
 * median / mean / standard deviation. `logColumns` names numeric features that also get an
 * ln(1 + value) column (see NumericEncoding.log).
 */
export function fitChurnEncoding(
  rows: readonly ChurnRow[],
  numeric: ChurnEncoding['numeric'],
  options: { logColumns?: readonly string[] } = {},
): ChurnEncoding {
  const logColumns = new Set(options.logColumns ?? []);
  const features: FeatureEncoding[] = CHURN_FEATURES.map((f) => {
    if (f.kind === 'categorical') {
      const seen = new Set<string>();
      for (const row of rows) {
        const v = readCategorical(row[f.name]);
        if (v !== '') seen.add(v); // '' is "missing" and must keep encoding as no category
      }
      return { name: f.name, kind: 'categorical', categories: [...seen].sort() };
    }
    const values = rows.map((row) => readNumeric(row[f.name]));
    const present = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
    // float32 so the ONNX graph, whose numeric inputs are float32, imputes the identical value.
    const med = Math.fround(median(present));
    const imputed = values.map((v) => (Number.isNaN(v) ? med : v));
    const encoding: NumericEncoding = { name: f.name, kind: 'numeric', median: med, ...meanAndStd(imputed) };
    if (logColumns.has(f.name)) encoding.log = meanAndStd(imputed.map(logColumn));
    return encoding;
  });
  return { numeric, features };
}

/** Small deterministic churn-shaped data for unit tests (the real CSV is for integration tests). */
import {
  addTreeShap,
  encodeRow,
  encodedColumnFeature,
  expectedLogit,
  predictEncodedLogit,
  type ChurnExplanation,
  type ChurnModelSpec,
  type ChurnRow,
  type EnsembleChurnModel,
  type GbdtChurnModel,
  type LogisticChurnModel,
  type FeatureContribution,
} from '@vigil/common';
import { fitChurnEncoding, fitGbdt, fitLogistic, mulberry32 } from '../../../src/domain/churn';

const YES_NO = ['Yes', 'No'];
const SERVICE = ['Yes', 'No', 'No internet service'];
const DOMAINS: Record<string, string[]> = {
  gender: ['Female', 'Male'],
  Partner: YES_NO,
  Dependents: YES_NO,
  PhoneService: YES_NO,
  MultipleLines: ['Yes', 'No', 'No phone service'],
  InternetService: ['DSL', 'Fiber optic', 'No'],
  OnlineSecurity: SERVICE,
  OnlineBackup: SERVICE,
  DeviceProtection: SERVICE,
  TechSupport: SERVICE,
  StreamingTV: SERVICE,
  StreamingMovies: SERVICE,
  Contract: ['Month-to-month', 'One year', 'Two year'],
  PaperlessBilling: YES_NO,
  PaymentMethod: ['Electronic check', 'Mailed check', 'Bank transfer (automatic)', 'Credit card (automatic)'],
};

/** Rows with a Churn label that depends on contract, tenure and fiber (like the real data). */
export function syntheticRows(n: number, seed: number): ChurnRow[] {
  const rng = mulberry32(seed);
  const pick = (values: string[]) => values[Math.floor(rng() * values.length)];
  return Array.from({ length: n }, (_, i) => {
    const row: ChurnRow = { customerID: `C${i}` };
    for (const [name, values] of Object.entries(DOMAINS)) row[name] = pick(values);
    const tenure = Math.floor(rng() * 72);
    const monthly = Math.round((20 + rng() * 100) * 100) / 100;
    row.SeniorCitizen = rng() < 0.16 ? 1 : 0;
    row.tenure = tenure;
    row.MonthlyCharges = monthly;
    row.TotalCharges = tenure === 0 ? '' : String(Math.round(tenure * monthly * 100) / 100);
    const z = -1 + (row.Contract === 'Month-to-month' ? 1.5 : -1) - tenure / 30 + (row.InternetService === 'Fiber optic' ? 0.8 : 0);
    row.Churn = rng() < 1 / (1 + Math.exp(-z)) ? 'Yes' : 'No';
    return row;
  });
}

export function labelsOf(rows: readonly ChurnRow[]): Float64Array {
  return Float64Array.from(rows, (r) => (r.Churn === 'Yes' ? 1 : 0));
}

export function syntheticGbdtSpec(): GbdtChurnModel {
  const rows = syntheticRows(400, 1);
  const encoding = fitChurnEncoding(rows, 'raw');
  const X = rows.map((r) => encodeRow(encoding, r));
  const params = { maxDepth: 3, learningRate: 0.1, maxRounds: 30, minSamplesLeaf: 10, l2: 1, subsample: 0.8, earlyStoppingRounds: 10, maxBins: 32 };
  const fit = fitGbdt(X, labelsOf(rows), params, 5);
  return { kind: 'gbdt', encoding, baseScore: fit.baseScore, trees: fit.trees };
}

/** With the ln(1 + tenure) column the trained model has, so explanations cover a two-column feature. */
export function syntheticLogisticSpec(): LogisticChurnModel {
  const rows = syntheticRows(400, 2);
  const encoding = fitChurnEncoding(rows, 'standardized', { logColumns: ['tenure'] });
  const X = rows.map((r) => encodeRow(encoding, r));
  const fit = fitLogistic(X, labelsOf(rows), { l2: 1 });
  const means = Array.from({ length: X[0].length }, (_, j) => X.reduce((s, x) => s + x[j], 0) / X.length);
  return { kind: 'logistic', encoding, weights: fit.weights, bias: fit.bias, encodedMeans: means };
}

export function syntheticEnsembleSpec(logisticWeight = 0.25): EnsembleChurnModel {
  return { kind: 'ensemble', logisticWeight, logistic: syntheticLogisticSpec(), gbdt: syntheticGbdtSpec() };
}

function byMagnitudeThenName(a: FeatureContribution, b: FeatureContribution): number {
  const diff = Math.abs(b.contribution) - Math.abs(a.contribution);
  return diff !== 0 ? diff : a.feature < b.feature ? -1 : a.feature > b.feature ? 1 : 0;
}

/**
 * explainChurn as it was before its lookup tables: addTreeShap tree by tree, everything derived per
 * call. The reference the table path must match bit for bit (explain-tables.test.ts, explain.bench.ts).
 */
export function recursiveExplanation(spec: ChurnModelSpec, row: ChurnRow): ChurnExplanation {
  if (spec.kind !== 'gbdt') throw new Error('trees only');
  const x = encodeRow(spec.encoding, row);
  const groupOf = encodedColumnFeature(spec.encoding);
  const phi = new Float64Array(spec.encoding.features.length);
  for (const tree of spec.trees) addTreeShap(tree, x, groupOf, phi);
  const contributions = spec.encoding.features.map((f, i) => ({ feature: f.name, contribution: phi[i] })).sort(byMagnitudeThenName);
  return { expectedLogit: expectedLogit(spec), logit: predictEncodedLogit(spec, x), contributions };
}

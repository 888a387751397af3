import { createDriftPsi } from '../../src/domain/drift-psi';
import type { DriftReader, LivePrediction } from '../../src/domain/drift-ports';
import { churnRows, FEATURES, referenceOf } from '../support/churn-rows';

const WINDOW = { name: '1h', ms: 3_600_000 };

function reader(over: Partial<DriftReader> = {}): DriftReader {
  const reference = referenceOf(churnRows(5000, 1));
  const shifted: LivePrediction[] = churnRows(5000, 2).map((r) => ({
    createdAt: new Date(), values: FEATURES.map((f) => (f === 'MonthlyCharges' ? r.MonthlyCharges + 50 : r[f])), probability: r.probability, label: null,
  }));
  return {
    references: async () => [{ modelName: 'churn', modelVersion: '3', reference }],
    recent: async () => ({ asOf: new Date(), rows: shifted }),
    latestVersion: async () => '3',
    ...over,
  };
}

describe('PSI for psi policies, from the drift measurement', () => {
  test('the score under "score", each feature under its name', async () => {
    const psi = (await createDriftPsi(reader()).psi({ modelName: 'churn', modelVersion: '3', window: WINDOW }))!;
    expect(psi.get('MonthlyCharges')).toBeGreaterThan(0.2);
    expect(psi.get('tenure')).toBeLessThan(0.02);
    expect(psi.get('score')).toEqual(expect.any(Number));
    expect(psi.has('no-such-feature')).toBe(false);
  });

  test('a version without a reference has no PSI, rather than failing the pass', async () => {
    expect(await createDriftPsi(reader({ references: async () => [] })).psi({ modelName: 'churn', modelVersion: '3', window: WINDOW })).toBeNull();
    expect(await createDriftPsi(reader()).psi({ modelName: 'churn', modelVersion: '9', window: WINDOW })).toBeNull();
  });

  test('an outage is not hidden', async () => {
    const down = reader({ recent: async () => { throw new Error('connection refused'); } });
    await expect(createDriftPsi(down).psi({ modelName: 'churn', modelVersion: '3', window: WINDOW })).rejects.toThrow('connection refused');
  });
});

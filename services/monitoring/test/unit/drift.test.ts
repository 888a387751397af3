import { driftOf, positiveScore } from '../../src/domain/drift';
import type { DriftReader, LivePrediction, VersionReference } from '../../src/domain/drift-ports';
import { measureAllDrift, modelDrift } from '../../src/domain/measure-drift';
import { churnRows, FEATURES, referenceOf, type ChurnShapedRow as Row } from '../support/churn-rows';

/** Rows as the drift reader returns them: the reference's features in its order, the output's probability. */
const live = (rows: Row[], at = new Date('2025-01-01T00:00:00Z')): LivePrediction[] =>
  rows.map((r) => ({ createdAt: at, values: FEATURES.map((f) => r[f]), probability: r.probability, label: null }));

const psiOf = (drift: ReturnType<typeof driftOf>) => Object.fromEntries(drift.features.map((f) => [f.feature, f.psi]));

describe('drift (PSI) of live predictions against the training reference', () => {
  const reference = referenceOf(churnRows(5000, 1));

  test('live rows from the training distribution drift nowhere: every PSI is near 0', () => {
    const drift = driftOf('churn', reference, live(churnRows(5000, 2)));
    expect(drift.n).toBe(5000);
    for (const f of drift.features) expect(f.psi).toBeLessThan(0.02);
    expect(drift.score).toBeLessThan(0.02);
  });

  test('MonthlyCharges raised by 50 is a significant shift (PSI > 0.2) on that feature alone', () => {
    const shifted = churnRows(5000, 2).map((r) => ({ ...r, MonthlyCharges: r.MonthlyCharges + 50 }));
    const psi = psiOf(driftOf('churn', reference, live(shifted)));
    expect(psi.MonthlyCharges).toBeGreaterThan(0.2);
    for (const other of FEATURES.filter((f) => f !== 'MonthlyCharges')) expect(psi[other]).toBeLessThan(0.02);
  });

  test('a category never seen in training and missing values count in their own bins, so they show as drift', () => {
    const rows = churnRows(2000, 3).map((r, i) => ({ ...r, Contract: i % 2 ? 'Three year' : r.Contract, TotalCharges: i % 3 ? r.TotalCharges : null }));
    const psi = psiOf(driftOf('churn', reference, live(rows)));
    expect(psi.Contract).toBeGreaterThan(0.2);
    expect(psi.TotalCharges).toBeGreaterThan(0.2);
  });

  test('scores drifting towards churn show in the score PSI, not in the features', () => {
    const rows = churnRows(5000, 2).map((r) => ({ ...r, probability: Math.min(1, r.probability + 0.3) }));
    const drift = driftOf('churn', reference, live(rows));
    expect(drift.score).toBeGreaterThan(0.2);
    expect(Math.max(...drift.features.map((f) => f.psi!))).toBeLessThan(0.02);
  });

  test('without live predictions every PSI is null, not 0', () => {
    expect(driftOf('churn', reference, [])).toEqual({
      n: 0, capped: false, score: null, features: FEATURES.map((feature) => ({ feature, psi: null })),
    });
  });

  test('the type model stores the probability of the label it answered; drift compares P(bacterial)', () => {
    expect(positiveScore('xray-type', { probability: 0.8, label: 'viral' })).toBeCloseTo(0.2);
    expect(positiveScore('xray-type', { probability: 0.8, label: 'bacterial' })).toBe(0.8);
    expect(positiveScore('xray-pneumonia', { probability: 0.7, label: null })).toBe(0.7);
    expect(positiveScore('churn', { probability: null, label: null })).toBeNull();
  });
});

describe('measuring drift through the reader', () => {
  const reference = referenceOf(churnRows(3000, 1));
  const asOf = new Date('2025-03-10T12:00:00Z');
  const hoursAgo = (h: number) => new Date(asOf.getTime() - h * 3_600_000);
  const HOUR = { name: '1h', ms: 3_600_000 };
  const DAY = { name: '1d', ms: 86_400_000 };

  /** A reader over rows held in memory, honouring window and cap as the Postgres one does. */
  function fakeReader(versions: VersionReference[], rows: Record<string, LivePrediction[]>, latest: string | null): DriftReader & { reads: number } {
    return {
      reads: 0,
      async references(modelName) {
        return versions.filter((v) => modelName === undefined || v.modelName === modelName);
      },
      async recent(q) {
        this.reads += 1;
        const inWindow = (rows[q.modelVersion] ?? []).filter((r) => r.createdAt.getTime() > asOf.getTime() - q.windowMs);
        return { asOf, rows: inWindow.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime()).slice(0, q.cap) };
      },
      async latestVersion() {
        return latest;
      },
    };
  }

  const v = (modelVersion: string): VersionReference => ({ modelName: 'churn', modelVersion, reference });
  const shifted = churnRows(600, 4).map((r) => ({ ...r, MonthlyCharges: r.MonthlyCharges + 50 }));
  // Version 2: shifted rows in the last hour, training-like rows earlier that day.
  const rows = { '2': [...live(shifted.slice(0, 300), hoursAgo(0.5)), ...live(churnRows(3000, 5), hoursAgo(5))] };

  test('every window is computed from one read per version: the short window sees only its own rows', async () => {
    const reader = fakeReader([v('1'), v('2')], rows, '2');
    const [hour, day] = await measureAllDrift(reader, [HOUR, DAY], 10_000);
    expect(reader.reads).toBe(2);
    // Version 1 has no predictions: it is left out rather than reported as "no drift".
    expect(hour.versions.map((x) => x.modelVersion)).toEqual(['2']);
    expect(hour.versions[0].n).toBe(300);
    expect(day.versions[0].n).toBe(3300);
    const psi = (w: typeof hour) => w.versions[0].features.find((f) => f.feature === 'MonthlyCharges')!.psi!;
    expect(psi(hour)).toBeGreaterThan(0.2);
    expect(psi(day)).toBeLessThan(psi(hour));
  });

  test('the cap keeps the newest rows and says it cut', async () => {
    const [hour, day] = await measureAllDrift(fakeReader([v('2')], rows, '2'), [HOUR, DAY], 1000);
    expect(day.versions[0]).toMatchObject({ n: 1000, capped: true });
    expect(hour.versions[0]).toMatchObject({ n: 300, capped: false });
  });

  test('the endpoint defaults to the version of the newest prediction and refuses versions without a reference', async () => {
    const reader = fakeReader([v('1'), v('2')], rows, '2');
    const drift = await modelDrift(reader, { modelName: 'churn', window: HOUR });
    expect(drift).toMatchObject({ model: 'churn', version: '2', n: 300, to: asOf, from: hoursAgo(1) });
    await expect(modelDrift(reader, { modelName: 'churn', window: HOUR, version: '7' })).rejects.toMatchObject({ code: 'VIGIL_NOT_FOUND' });
    await expect(modelDrift(reader, { modelName: 'nope', window: HOUR })).rejects.toMatchObject({ code: 'VIGIL_NOT_FOUND' });
    // A model that has made no prediction yet: its newest version with a reference, with no rows.
    const unused = await modelDrift(fakeReader([v('1'), v('3')], {}, null), { modelName: 'churn', window: DAY });
    expect(unused).toMatchObject({ version: '3', n: 0, score: null });
  });
});

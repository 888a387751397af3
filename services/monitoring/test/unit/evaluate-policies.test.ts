import { decidePolicy, describeBreach, evaluatePolicies, planBreach, type EvaluatePoliciesDeps, type Observation } from '../../src/domain/evaluate-policies';
import type { PolicySpec } from '../../src/domain/policy';
import type { NewBreach, PolicyBreach, StoredPolicy } from '../../src/domain/policy-ports';
import type { QualityReader } from '../../src/domain/ports';
import type { Quality } from '../../src/domain/quality';

const T0 = new Date('2025-03-01T12:00:00Z');
const HOUR = 3_600_000;

const quality = (over: Partial<Quality> = {}): Quality => ({
  predictions: 400, positiveRate: 0.3, labelled: 400, confusion: { tp: 80, fp: 40, fn: 30, tn: 250 }, accuracy: 0.825, precision: 0.667, recall: 0.727,
  f1: 0.696, falseNegativeRate: 0.273, specificity: 0.862, rocAuc: 0.84, brier: 0.14,
  baseline: { majorityClass: 'negative', accuracy: 0.725, recall: 0, specificity: 1, rocAuc: 0.5 }, belowBaseline: false, aucSample: { size: 400, capped: false },
  ...over,
});
const observed = (over: Partial<Quality> = {}, psi: number | null = null): Observation => ({ modelVersion: '1', quality: quality(over), psi, asOf: T0 });

const spec = (over: Partial<PolicySpec> = {}): PolicySpec => ({
  metric: 'roc_auc', feature: null, comparator: '<', threshold: 0.8, window: '1h', minLabelled: 100, cooldownSeconds: 6 * 3600, severity: 'warning',
  enabled: true, retrain: true, ...over,
});
const policy = (over: Partial<StoredPolicy> = {}): StoredPolicy => ({
  ...spec(), id: 'policy-1', modelName: 'churn', createdBy: 'ml', createdAt: T0, updatedBy: 'ml', updatedAt: T0, revision: 3, lastBreachAt: null, ...over,
});

describe('deciding a policy', () => {
  test('a metric beyond the threshold is a breach, either way round', () => {
    expect(decidePolicy(spec(), observed({ rocAuc: 0.71 }), null)).toEqual({ outcome: 'breach', value: 0.71, labelled: 400, modelVersion: '1' });
    expect(decidePolicy(spec(), observed({ rocAuc: 0.8 }), null).outcome).toBe('ok');
    expect(decidePolicy(spec({ metric: 'brier', comparator: '>', threshold: 0.2 }), observed({ brier: 0.25 }), null).outcome).toBe('breach');
    expect(decidePolicy(spec({ metric: 'false_negative_rate', comparator: '>', threshold: 0.5 }), observed(), null)).toMatchObject({ outcome: 'ok', value: 0.273 });
  });

  test('a model that always answers "no" breaches a recall policy', () => {
    const lazy = observed({ recall: 0, falseNegativeRate: 1, precision: null, rocAuc: 0.5, belowBaseline: true });
    expect(decidePolicy(spec({ metric: 'recall', threshold: 0.5 }), lazy, null)).toMatchObject({ outcome: 'breach', value: 0 });
    // Its precision is undefined (no positive answer): never a breach, whatever the threshold.
    expect(decidePolicy(spec({ metric: 'precision', threshold: 0.5 }), lazy, null)).toMatchObject({ outcome: 'skipped', reason: 'metric-undefined' });
  });

  test('too few labels, no predictions or an undefined metric are skipped, not breached', () => {
    expect(decidePolicy(spec(), observed({ labelled: 99, rocAuc: 0.3 }), null)).toMatchObject({ outcome: 'skipped', reason: 'too-few-labels', labelled: 99 });
    expect(decidePolicy(spec(), null, null)).toMatchObject({ outcome: 'skipped', reason: 'no-predictions', modelVersion: null });
    expect(decidePolicy(spec(), observed({ rocAuc: null }), null)).toMatchObject({ outcome: 'skipped', reason: 'metric-undefined' });
  });

  test('PSI needs no labels, and is undefined until something computes it', () => {
    const psi = spec({ metric: 'psi', feature: 'score', comparator: '>', threshold: 0.2 });
    expect(decidePolicy(psi, observed({ labelled: 0 }, 0.31), null)).toMatchObject({ outcome: 'breach', value: 0.31 });
    expect(decidePolicy(psi, observed({ labelled: 0 }, null), null)).toMatchObject({ outcome: 'skipped', reason: 'metric-undefined' });
  });

  test('within the cooldown of the last breach a breach is skipped; after it, it counts again', () => {
    const sixHours = spec({ cooldownSeconds: 6 * 3600 });
    expect(decidePolicy(sixHours, observed({ rocAuc: 0.6 }), new Date(T0.getTime() - 5 * HOUR))).toMatchObject({ outcome: 'skipped', reason: 'cooldown', value: 0.6 });
    expect(decidePolicy(sixHours, observed({ rocAuc: 0.6 }), new Date(T0.getTime() - 6 * HOUR)).outcome).toBe('breach');
    // A policy in its cooldown that is fine again is simply ok.
    expect(decidePolicy(sixHours, observed({ rocAuc: 0.9 }), new Date(T0.getTime() - HOUR)).outcome).toBe('ok');
  });
});

describe('planning a breach', () => {
  const ids = () => {
    let n = 0;
    return () => `id-${++n}`;
  };

  test('the alert names metric, value, threshold, window and labels; retraining asks for the model’s pipeline on the latest data', () => {
    const plan = planBreach(policy({ severity: 'critical' }), { value: 0.71234, labelled: 400, modelVersion: '1' }, ids());
    expect(plan.training).toEqual({ jobId: 'id-1', pipeline: 'churn', reason: 'policy_breach:roc_auc', requestedBy: 'monitoring' });
    expect(plan.alert).toEqual({
      alertId: 'id-2', kind: 'policy_breach', severity: 'critical',
      message: 'churn version 1: roc_auc = 0.7123 is below the policy threshold < 0.8 over the last 1h, on 400 labelled predictions; retraining requested (training job id-1)',
    });
    expect(plan.breach).toMatchObject({
      id: 'id-3', policyId: 'policy-1', modelVersion: '1', metric: 'roc_auc', value: 0.71234, threshold: 0.8, window: '1h', labelled: 400, alertId: 'id-2', trainingJobId: 'id-1',
    });
    expect(plan).toMatchObject({ policyRevision: 3, cooldownSeconds: 6 * 3600 });
  });

  test('a policy that does not retrain only alerts', () => {
    const plan = planBreach(policy({ retrain: false, modelName: 'xray-pneumonia', metric: 'recall', threshold: 0.9 }), { value: 0.85, labelled: 120, modelVersion: '4' }, ids());
    expect(plan.training).toBeNull();
    expect(plan.breach.trainingJobId).toBeNull();
    expect(plan.alert.message).not.toMatch(/retraining/);
    const psi = policy({ metric: 'psi', feature: 'tenure', comparator: '>', threshold: 0.2 });
    expect(describeBreach(psi, { value: 0.3, labelled: 0, modelVersion: '2' }, null)).toBe(
      'churn version 2: psi(tenure) = 0.3 is above the policy threshold > 0.2 over the last 1h, on 0 labelled predictions',
    );
  });
});

describe('an evaluation pass', () => {
  function deps(policies: StoredPolicy[], rocAuc: number | null, recorded: (b: NewBreach) => boolean) {
    const reader: QualityReader = {
      read: jest.fn(async (query) => ({
        asOf: T0,
        counts: query.windowsMs.map((windowMs: number) => ({
          windowMs, modelName: 'churn', modelVersion: '2', predictions: 400, predictedPositive: 100, tp: 60, fp: 40, fn: 40, tn: 260, brierSum: 60,
        })),
        samples: new Map(),
      })),
      knowsModel: jest.fn(),
    };
    const record = jest.fn(async (b: NewBreach) => (recorded(b) ? ({ ...b.breach, breachedAt: T0 } as PolicyBreach) : null));
    const d: EvaluatePoliciesDeps = {
      policies: { listEnabled: async () => policies } as EvaluatePoliciesDeps['policies'],
      breaches: { record, list: jest.fn() },
      serving: { latest: async (names) => new Map(names.filter((n) => n === 'churn').map((n) => [n, '2'])) },
      reader,
      newId: (() => { let n = 0; return () => `id-${++n}`; })(),
      psi: { psi: jest.fn(async () => new Map([['score', rocAuc]])) },
    };
    return { d, record, reader };
  }

  test('measures each model once for all its windows, judges every policy, records breaches and reports the rest', async () => {
    const policies = [
      policy({ id: 'recall', metric: 'recall', threshold: 0.7 }), // recall 0.6: breach
      policy({ id: 'f1', metric: 'f1', threshold: 0.5, window: '1d' }), // f1 0.6: ok
      policy({ id: 'psi', metric: 'psi', feature: 'score', comparator: '>', threshold: 0.2, minLabelled: 1000 }), // no PSI: undefined
      policy({ id: 'raced', metric: 'specificity', threshold: 0.9 }), // specificity 0.867: breach, but another replica was first
      policy({ id: 'other', modelName: 'fraud', retrain: false }), // no predictions
    ];
    const { d, record, reader } = deps(policies, null, (b) => b.breach.policyId !== 'raced');
    const results = await evaluatePolicies(d);
    expect(reader.read).toHaveBeenCalledTimes(1);
    expect((reader.read as jest.Mock).mock.calls[0][0]).toEqual({ windowsMs: [HOUR, 24 * HOUR], modelName: 'churn', modelVersion: '2' });
    expect(results.map((r) => [r.policyId, r.outcome, r.outcome === 'skipped' ? r.reason : null])).toEqual([
      ['recall', 'breach', null], ['f1', 'ok', null], ['psi', 'skipped', 'metric-undefined'], ['raced', 'skipped', 'superseded'], ['other', 'skipped', 'no-predictions'],
    ]);
    expect(record).toHaveBeenCalledTimes(2);
    expect(results[0].breach).toMatchObject({ policyId: 'recall', modelVersion: '2', value: 0.6, labelled: 400 });
  });

  test('reads PSI once per model and window for all its psi policies', async () => {
    const policies = [
      policy({ id: 'a', metric: 'psi', feature: 'score', comparator: '>', threshold: 0.2 }),
      policy({ id: 'b', metric: 'psi', feature: 'score', comparator: '>', threshold: 0.5 }),
      policy({ id: 'c', metric: 'psi', feature: 'tenure', comparator: '>', threshold: 0.1 }),
    ];
    const { d } = deps(policies, 0.3, () => true);
    const results = await evaluatePolicies(d);
    expect(d.psi!.psi).toHaveBeenCalledTimes(1);
    expect(results.map((r) => r.outcome)).toEqual(['breach', 'ok', 'skipped']);
  });

  test('nothing to do without enabled policies', async () => {
    const { d, reader } = deps([], null, () => true);
    expect(await evaluatePolicies(d)).toEqual([]);
    expect(reader.read).not.toHaveBeenCalled();
  });
});

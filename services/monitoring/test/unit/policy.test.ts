import { createPolicy, replacePolicy, type ManagePoliciesDeps } from '../../src/domain/manage-policies';
import { checkPolicy, formatCooldown, parseCooldown, trainingPipelineFor, type PolicySpec } from '../../src/domain/policy';
import type { PolicyStore, StoredPolicy } from '../../src/domain/policy-ports';
import { parseWindows } from '../../src/domain/windows';

const windows = parseWindows('1h,1d,7d');
const spec = (over: Partial<PolicySpec> = {}): PolicySpec => ({
  metric: 'roc_auc', feature: null, comparator: '<', threshold: 0.8, window: '1d', minLabelled: 100, cooldownSeconds: 3600, severity: 'warning',
  enabled: true, retrain: true, ...over,
});
const problems = (modelName: string, s: PolicySpec) => {
  try {
    checkPolicy(modelName, s, windows);
    return [];
  } catch (err) {
    expect(err).toMatchObject({ code: 'VIGIL_UNPROCESSABLE', status: 422 });
    return (err as { details: { errors: string[] } }).details.errors;
  }
};

/** A store that keeps what it is given, for the use cases' defaults. */
function memoryStore(): PolicyStore & { saved: StoredPolicy[] } {
  const saved: StoredPolicy[] = [];
  const stamp = { createdAt: new Date(0), updatedAt: new Date(0), lastBreachAt: null };
  return {
    saved,
    async create(p) {
      const stored = { ...p, ...stamp, updatedBy: p.createdBy, revision: 1 };
      saved.push(stored);
      return stored;
    },
    async update(id, s, actor) {
      const i = saved.findIndex((p) => p.id === id);
      if (i < 0) return null;
      saved[i] = { ...saved[i], ...s, updatedBy: actor, revision: saved[i].revision + 1 };
      return saved[i];
    },
    async delete() { return false; },
    async get(id) { return saved.find((p) => p.id === id) ?? null; },
    async list() { return saved; },
    async listEnabled() { return saved.filter((p) => p.enabled); },
  };
}

describe('quality policies: rules and defaults', () => {
  test('cooldowns are seconds or ISO 8601 durations, and read back as durations', () => {
    expect(parseCooldown(90)).toBe(90);
    expect(parseCooldown('PT6H')).toBe(21_600);
    expect(parseCooldown('P1DT2H30M15S')).toBe(86_400 + 9000 + 15);
    expect(formatCooldown(86_400)).toBe('P1D');
    expect(formatCooldown(21_600 + 60)).toBe('PT6H1M');
    expect(formatCooldown(90_015)).toBe('P1DT1H15S');
    expect(formatCooldown(0)).toBe('PT0S');
    for (const bad of ['P', 'PT', '6h', 'P1M2D', 'P1Y', 'PT1.5H']) {
      expect(() => parseCooldown(bad)).toThrow(expect.objectContaining({ code: 'VIGIL_VALIDATION' }));
    }
  });

  test('churn retrains with the churn pipeline, X-ray models with the xray one, others cannot', () => {
    expect(trainingPipelineFor('churn')).toBe('churn');
    expect(trainingPipelineFor('xray-pneumonia')).toBe('xray');
    expect(trainingPipelineFor('xray-type')).toBe('xray');
    expect(trainingPipelineFor('fraud')).toBeNull();
  });

  test('a sound policy passes; every broken rule is named at once', () => {
    expect(problems('churn', spec())).toEqual([]);
    expect(problems('churn', spec({ metric: 'psi', feature: 'tenure', comparator: '>', threshold: 0.25 }))).toEqual([]);
    expect(problems('fraud', spec({ threshold: 1.5, feature: 'tenure', window: '2h', cooldownSeconds: 10 }))).toEqual([
      'threshold: roc_auc lies between 0 and 1',
      'feature: only a psi policy is about a feature, not roc_auc',
      'window: 2h is not measured here (MONITORING_WINDOWS: 1h, 1d, 7d)',
      'cooldown: between PT1M and P90D',
      'retrain: no training pipeline produces model fraud; set retrain to false',
    ]);
    expect(problems('churn', spec({ metric: 'psi', feature: 'score', threshold: -0.1 }))).toEqual(['threshold: PSI is never negative']);
    // 24h is the configured 1d under another name.
    expect(problems('churn', spec({ window: '24h' }))).toEqual([]);
  });

  test('what a request leaves out takes the defaults: longest window, 100 labels, a day of cooldown, warning, retraining where a pipeline exists', async () => {
    const store = memoryStore();
    const deps: ManagePoliciesDeps = { store, breaches: { record: jest.fn(), list: jest.fn() }, windows, newId: () => 'p-1' };
    const churn = await createPolicy('churn', { metric: 'recall', comparator: '<', threshold: 0.5 }, 'ml-engineer', deps);
    expect(churn).toMatchObject({
      id: 'p-1', modelName: 'churn', feature: null, window: '7d', minLabelled: 100, cooldownSeconds: 86_400, severity: 'warning', enabled: true, retrain: true,
      createdBy: 'ml-engineer',
    });
    const fraud = await createPolicy('fraud', { metric: 'psi', comparator: '>', threshold: 0.2, cooldown: 'PT1H' }, 'sre', { ...deps, newId: () => 'p-2' });
    expect(fraud).toMatchObject({ feature: 'score', retrain: false, cooldownSeconds: 3600 });

    const replaced = await replacePolicy('p-1', { metric: 'f1', comparator: '<', threshold: 0.4, window: '1h' }, 'lead', deps);
    expect(replaced).toMatchObject({ metric: 'f1', window: '1h', minLabelled: 100, updatedBy: 'lead', revision: 2 });
    await expect(replacePolicy('nope', { metric: 'f1', comparator: '<', threshold: 0.4 }, 'lead', deps)).rejects.toMatchObject({ code: 'VIGIL_NOT_FOUND' });
    await expect(createPolicy('churn', { metric: 'brier', comparator: '>', threshold: 2 }, 'x', deps)).rejects.toMatchObject({ code: 'VIGIL_UNPROCESSABLE' });
  });
});

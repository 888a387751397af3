import type { Feedback } from '../../src/domain/ports';
import { recordFeedback } from '../../src/domain/record-feedback';

const deps = () => {
  const saved: Feedback[] = [];
  return {
    saved,
    deps: { store: { save: async (f: Feedback) => void saved.push(f) }, clock: { now: () => new Date('2026-01-01T00:00:00Z') }, ids: { newId: () => 'id-1' } },
  };
};

describe('recordFeedback', () => {
  test('stores a label for an entity with the caller as client and "api" as default source', async () => {
    const { saved, deps: d } = deps();
    const result = await recordFeedback({ entityId: 'c-1', label: ' Yes ' }, 'crm', d);
    expect(result).toEqual({ id: 'id-1', predictionId: null, entityId: 'c-1', label: 'Yes', source: 'api', clientName: 'crm', receivedAt: new Date('2026-01-01T00:00:00Z') });
    expect(saved).toHaveLength(1);
  });

  test('refuses feedback about nothing, and a blank label, storing nothing', async () => {
    const { saved, deps: d } = deps();
    await expect(recordFeedback({ label: 'Yes' }, 'crm', d)).rejects.toMatchObject({ code: 'VIGIL_VALIDATION' });
    await expect(recordFeedback({ entityId: 'c', label: '  ' }, 'crm', d)).rejects.toMatchObject({ code: 'VIGIL_VALIDATION' });
    expect(saved).toHaveLength(0);
  });
});

import type { GroundTruth, GroundTruthStore, LabelRow, LabelTarget } from '../../src/domain/ports';
import { recordGroundTruth } from '../../src/domain/record-ground-truth';

const PREDICTION = '6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f';
const truth = (over: Partial<GroundTruth>): GroundTruth => ({
  eventId: 'e', predictionId: null, entityId: 'c-1', label: 'Yes', source: 'api', clientName: 'crm', occurredAt: new Date(), ...over,
});
const target = (over: Partial<LabelTarget>): LabelTarget => ({
  predictionId: PREDICTION, modelName: 'churn', modelVersion: '1', entityId: 'c-1', createdAt: new Date(), ...over,
});

function memoryStore(options: { predictions?: LabelTarget[]; entity?: LabelTarget[]; seen?: boolean } = {}) {
  const saved: LabelRow[] = [];
  const store: GroundTruthStore = {
    findPredictions: async (ids) => (options.predictions ?? []).filter((p) => ids.includes(p.predictionId)),
    findEntityPredictions: async (subjects) => subjects.map(() => options.entity ?? []),
    seen: async () => options.seen ?? false,
    save: async (rows) => void saved.push(...rows),
  };
  return { store, saved };
}

const deps = (store: GroundTruthStore) => ({ store, entityWindowMs: 90 * 86_400_000 });

describe('recordGroundTruth', () => {
  test('gives a label for a known prediction its meaning for the model', async () => {
    const { store, saved } = memoryStore({ predictions: [target({ modelName: 'xray-pneumonia' })] });
    await recordGroundTruth(truth({ predictionId: PREDICTION, entityId: null, label: 'PNEUMONIA' }), deps(store));
    expect(saved).toEqual([expect.objectContaining({ predictionId: PREDICTION, entityId: 'c-1', label: 'PNEUMONIA', positive: true })]);
  });

  test('keeps a label whose prediction has not arrived yet, its meaning unknown', async () => {
    const { store, saved } = memoryStore();
    await recordGroundTruth(truth({ predictionId: PREDICTION, entityId: null }), deps(store));
    expect(saved).toEqual([expect.objectContaining({ predictionId: PREDICTION, positive: null })]);
  });

  test('applies an entity label to the entity’s predictions in the window, and keeps it as the entity’s label when none matches', async () => {
    const matched = memoryStore({ entity: [target({ modelVersion: '1' }), target({ predictionId: 'p2', modelVersion: '2' })] });
    await recordGroundTruth(truth({ label: 'No' }), deps(matched.store));
    expect(matched.saved.map((r) => [r.predictionId, r.positive])).toEqual([[PREDICTION, false], ['p2', false]]);

    const unmatched = memoryStore();
    await recordGroundTruth(truth({ label: 'No' }), deps(unmatched.store));
    expect(unmatched.saved).toEqual([expect.objectContaining({ predictionId: null, entityId: 'c-1', label: 'No', positive: null })]);
  });

  test('skips an event whose labels are stored already (posted to monitoring, coming back from Kafka)', async () => {
    const { store, saved } = memoryStore({ seen: true });
    expect(await recordGroundTruth(truth({}), deps(store))).toBe(0);
    expect(saved).toEqual([]);
  });

  test.each([
    ['no subject', { entityId: null }],
    ['a prediction id that is not a UUID', { predictionId: '42' }],
    ['a blank label', { label: ' ' }],
  ])('rejects an event with %s as non-retryable', async (_name, over) => {
    const error = await recordGroundTruth(truth(over), deps(memoryStore().store)).catch((e) => e);
    expect(error).toMatchObject({ code: 'VIGIL_VALIDATION', canRetry: false });
  });
});

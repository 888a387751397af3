import type { GroundTruth } from '../../src/domain/ports';
import { recordGroundTruth } from '../../src/domain/record-ground-truth';

const truth = (over: Partial<GroundTruth>): GroundTruth => ({
  eventId: 'e', predictionId: null, entityId: 'c-1', label: 'Yes', source: 'api', clientName: 'crm', occurredAt: new Date(), ...over,
});

describe('recordGroundTruth', () => {
  test('saves a well-formed label', async () => {
    const saved: GroundTruth[] = [];
    await recordGroundTruth(truth({}), { save: async (t) => void saved.push(t) });
    expect(saved).toHaveLength(1);
  });

  test.each([
    ['no subject', { entityId: null }],
    ['a prediction id that is not a UUID', { predictionId: '42' }],
    ['a blank label', { label: ' ' }],
  ])('rejects an event with %s as non-retryable', async (_name, over) => {
    const error = await recordGroundTruth(truth(over), { save: async () => undefined }).catch((e) => e);
    expect(error).toMatchObject({ code: 'VIGIL_VALIDATION', canRetry: false });
  });
});

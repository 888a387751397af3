import type { AlertStore, RaisedAlert } from '../../src/domain/ports';
import { recordAlert } from '../../src/domain/record-alert';

const alert = (over: Partial<RaisedAlert> = {}): RaisedAlert => ({
  alertId: '6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f', eventId: 'e', kind: 'low_confidence', severity: 'warning', modelName: 'churn',
  modelVersion: '3', predictionId: null, message: 'p=0.51', raisedAt: new Date(), ...over,
});

function memoryStore(existing: string[] = []) {
  const saved: { alert: RaisedAlert; status: string }[] = [];
  const store: AlertStore = {
    async save(a, status) {
      if (existing.includes(a.alertId)) return false;
      saved.push({ alert: a, status });
      return true;
    },
    list: async () => [],
    get: async () => null,
  };
  return { store, saved };
}

describe('recordAlert', () => {
  test('stores an alert as pending delivery when a webhook is configured, and counts it', async () => {
    const { store, saved } = memoryStore();
    const received: RaisedAlert[] = [];
    await recordAlert(alert(), { store, webhookEnabled: true, observer: { received: (a) => void received.push(a), delivery: () => undefined } });
    expect(saved.map((s) => s.status)).toEqual(['pending']);
    expect(received).toHaveLength(1);
  });

  test('stores it with delivery disabled when no webhook is configured', async () => {
    const { store, saved } = memoryStore();
    await recordAlert(alert(), { store, webhookEnabled: false });
    expect(saved.map((s) => s.status)).toEqual(['disabled']);
  });

  test('does not count an alert whose id was stored before', async () => {
    const { store } = memoryStore([alert().alertId]);
    const received: RaisedAlert[] = [];
    const stored = await recordAlert(alert(), { store, webhookEnabled: true, observer: { received: (a) => void received.push(a), delivery: () => undefined } });
    expect(stored).toBe(false);
    expect(received).toHaveLength(0);
  });

  test.each([
    ['an alert id that is not a UUID', { alertId: '42' }],
    ['a blank kind', { kind: ' ' }],
    ['no model', { modelName: '' }],
    ['a prediction id that is not a UUID', { predictionId: 'p-1' }],
  ])('rejects an event with %s as non-retryable', async (_name, over) => {
    const error = await recordAlert(alert(over), { store: memoryStore().store, webhookEnabled: true }).catch((e) => e);
    expect(error).toMatchObject({ code: 'VIGIL_VALIDATION', canRetry: false });
  });
});

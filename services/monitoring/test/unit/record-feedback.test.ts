import type { AcceptedFeedback, FeedbackWriter, LabelTarget } from '../../src/domain/ports';
import { recordFeedback, type FeedbackItem } from '../../src/domain/record-feedback';

const NOW = new Date('2030-01-10T00:00:00Z');
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const target = (n: number, modelName: string, over: Partial<LabelTarget> = {}): LabelTarget => ({
  predictionId: id(n), modelName, modelVersion: '1', entityId: null, createdAt: new Date('2030-01-01T00:00:00Z'), ...over,
});

function memoryWriter(predictions: LabelTarget[], customers: Record<string, LabelTarget[]> = {}) {
  const saved: { accepted: AcceptedFeedback[]; clientName: string }[] = [];
  const asked: { windowMs: number; modelName?: string; observedAt: Date[] }[] = [];
  const writer: FeedbackWriter = {
    findPredictions: async (ids) => predictions.filter((p) => ids.includes(p.predictionId)),
    findEntityPredictions: async (subjects, windowMs, modelName) => {
      asked.push({ windowMs, modelName, observedAt: subjects.map((s) => s.observedAt) });
      return subjects.map((s) => customers[s.entityId] ?? []);
    },
    save: async (accepted, clientName) => void saved.push({ accepted, clientName }),
  };
  return { writer, saved, asked };
}

const run = (items: FeedbackItem[], writer: FeedbackWriter) => recordFeedback(items, 'lab', { writer, now: () => NOW, churnWindowMs: 90 * 86_400_000, tasks: { get: async () => null } });

describe('recordFeedback', () => {
  test('stores labels of known predictions with their meaning, and reports unknown ids and meaningless labels', async () => {
    const { writer, saved } = memoryWriter([target(1, 'xray-pneumonia'), target(2, 'xray-type')]);
    const result = await run(
      [
        { predictionId: id(1), label: 'viral', source: 'blood-test' },
        { predictionId: id(9), label: 'normal' },
        { predictionId: id(2), label: 'normal' },
      ],
      writer,
    );
    expect(result).toEqual({
      accepted: 1, labelled: 1,
      unknown: [{ index: 1, predictionId: id(9) }],
      rejected: [{ index: 2, predictionId: id(2), reason: expect.stringContaining('means nothing to model xray-type') }],
    });
    expect(saved).toEqual([{
      clientName: 'lab',
      accepted: [{
        event: { predictionId: id(1), entityId: '', label: 'viral', source: 'blood-test' },
        rows: [{ predictionId: id(1), entityId: null, label: 'viral', positive: true, source: 'blood-test', observedAt: NOW }],
      }],
    }]);
  });

  test('applies a customer’s churn outcome to the churn predictions the window finds, observed now unless told', async () => {
    const matched = [target(3, 'churn', { modelVersion: '1' }), target(4, 'churn', { modelVersion: '2' })];
    const { writer, saved, asked } = memoryWriter([], { 'C-1': matched });
    const observedAt = new Date('2030-01-05T00:00:00Z');
    const result = await run([{ customerID: 'C-1', churned: true, observedAt }, { customerID: 'C-2', churned: false }], writer);
    expect(result).toEqual({ accepted: 1, labelled: 2, unknown: [{ index: 1, customerID: 'C-2' }], rejected: [] });
    expect(asked).toEqual([{ windowMs: 90 * 86_400_000, modelName: 'churn', observedAt: [observedAt, NOW] }]);
    expect(saved[0].accepted[0].event).toEqual({ predictionId: '', entityId: 'C-1', label: 'churned', source: 'api' });
    expect(saved[0].accepted[0].rows.map((r) => [r.predictionId, r.positive, r.observedAt])).toEqual([[id(3), true, observedAt], [id(4), true, observedAt]]);
  });

  test('writes nothing when nothing is known, and says so', async () => {
    const { writer, saved } = memoryWriter([]);
    expect(await run([{ predictionId: id(5), label: true }], writer)).toEqual({ accepted: 0, labelled: 0, unknown: [{ index: 0, predictionId: id(5) }], rejected: [] });
    expect(saved).toEqual([]);
  });

  test('refuses more than 10,000 items', async () => {
    const items = Array.from({ length: 10_001 }, () => ({ predictionId: id(1), label: true }));
    await expect(run(items, memoryWriter([]).writer)).rejects.toMatchObject({ code: 'VIGIL_VALIDATION' });
  });
});

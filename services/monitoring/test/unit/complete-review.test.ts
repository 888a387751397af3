import type { AcceptedFeedback } from '../../src/domain/ports';
import { completeReview } from '../../src/domain/complete-review';
import type { Review, ReviewStore } from '../../src/domain/review-ports';

const NOW = new Date('2025-02-01T10:00:00Z');

const review = (over: Partial<Review> = {}): Review => ({
  reviewId: '00000000-0000-4000-8000-000000000001', predictionId: '00000000-0000-4000-8000-0000000000aa', modelName: 'xray-pneumonia',
  modelVersion: '2', reason: 'sampled', score: 0.91, predictedLabel: 'pneumonia', entityId: 'study-1', predictedAt: NOW, status: 'open',
  reviewer: null, label: null, feedbackEventId: null, createdAt: NOW, reviewedAt: null, ...over,
});

function store(initial: Review | null, options: { lostRace?: boolean } = {}) {
  const calls: { result: { reviewer: string; label: string }; feedback: AcceptedFeedback; clientName: string }[] = [];
  const s: ReviewStore = {
    list: async () => [],
    get: async () => initial,
    async complete(_id, result, feedback, clientName) {
      calls.push({ result, feedback, clientName });
      if (options.lostRace) return null;
      return { ...initial!, status: 'done', ...result, feedbackEventId: 'e', reviewedAt: NOW };
    },
  };
  return { s, calls };
}

describe('answering a review', () => {
  const deps = (s: ReviewStore) => ({ reviews: s, now: () => NOW });

  test('the label becomes feedback with source "review", in the model’s terms, for that prediction', async () => {
    const { s, calls } = store(review());
    const done = await completeReview({ reviewId: review().reviewId, label: 'normal', reviewer: 'dr-who', clientName: 'pacs' }, deps(s));
    expect(done).toMatchObject({ status: 'done', label: 'normal', reviewer: 'dr-who' });
    expect(calls).toEqual([{
      result: { reviewer: 'dr-who', label: 'normal' },
      clientName: 'pacs',
      feedback: {
        event: { predictionId: review().predictionId, entityId: '', label: 'normal', source: 'review' },
        rows: [{ predictionId: review().predictionId, entityId: 'study-1', label: 'normal', positive: false, source: 'review', observedAt: NOW }],
      },
    }]);
  });

  test('without a reviewer name the API client is the reviewer; true/false labels are read in the model’s classes', async () => {
    const { s, calls } = store(review({ modelName: 'churn' }));
    await completeReview({ reviewId: review().reviewId, label: true, clientName: 'crm' }, deps(s));
    expect(calls[0].result).toEqual({ reviewer: 'crm', label: 'true' });
    expect(calls[0].feedback.rows[0].positive).toBe(true);
  });

  test('an unknown review is not found; an answered one, or one answered meanwhile, is a conflict', async () => {
    await expect(completeReview({ reviewId: 'x', label: 'normal', clientName: 'c' }, deps(store(null).s))).rejects.toMatchObject({ code: 'VIGIL_NOT_FOUND' });
    const answered = store(review({ status: 'done', label: 'normal' }));
    await expect(completeReview({ reviewId: 'x', label: 'normal', clientName: 'c' }, deps(answered.s))).rejects.toMatchObject({ code: 'VIGIL_CONFLICT' });
    expect(answered.calls).toHaveLength(0);
    const raced = store(review(), { lostRace: true });
    await expect(completeReview({ reviewId: 'x', label: 'normal', clientName: 'c' }, deps(raced.s))).rejects.toMatchObject({ code: 'VIGIL_CONFLICT' });
  });

  test('a label that means nothing to the model is refused and the review stays open', async () => {
    const { s, calls } = store(review({ modelName: 'xray-type' }));
    await expect(completeReview({ reviewId: 'x', label: 'normal', clientName: 'c' }, deps(s))).rejects.toMatchObject({ code: 'VIGIL_VALIDATION' });
    expect(calls).toHaveLength(0);
  });
});

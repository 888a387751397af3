import { createTestDatabase, type TestDatabase } from '../../../../tests/support/database';
import { testBus, waitFor } from '../../../../tests/support/kafka';
import { pneumonia, predictionMessage, type PredictionSpec } from '../support/events';
import { startMonitoring } from '../support/monitoring-app';

/** The lines of one gauge on /metrics whose labels include all of `labels`, as { labels → value }. */
function gauge(text: string, name: string, labels: Record<string, string>): Map<string, number> {
  const found = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const body = line.slice(name.length + 1, line.lastIndexOf('}'));
    const pairs = Object.fromEntries([...body.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => pairs[k] === v)) found.set(pairs.metric ?? '', Number(line.slice(line.lastIndexOf('}') + 2)));
  }
  return found;
}

describe('model quality: per version and window, beside the majority-class baseline, over HTTP and on /metrics', () => {
  let db: TestDatabase;
  let monitoring: Awaited<ReturnType<typeof startMonitoring>>;
  let keys: { writer: string; reader: string; alerts: string };
  const bus = testBus();
  const producer = bus.producer();
  const admin = bus.admin();
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    db = await createTestDatabase();
    monitoring = await startMonitoring({ pool: db.pool, bus, admin, producer, windows: '1h,1d' });
    keys = { writer: await monitoring.key(['feedback:write']), reader: await monitoring.key(['monitoring:read']), alerts: await monitoring.key(['alerts:read']) };

    // Version 1, threshold 0.5. Truth: pneumonia for a, c, d; normal for b, e, f; g and h unlabelled.
    // Version 2 always answers "normal" with 0.05: 2 of its 10 patients have pneumonia.
    // `old` is version 1's, two hours ago: in the 1d window only.
    const specs: Record<string, PredictionSpec> = {
      a: pneumonia('1', 0.9), b: pneumonia('1', 0.8), c: pneumonia('1', 0.7), d: pneumonia('1', 0.4), e: pneumonia('1', 0.3), f: pneumonia('1', 0.2),
      g: pneumonia('1', 0.6), h: pneumonia('1', 0.1), old: pneumonia('1', 0.95, { at: new Date(Date.now() - 2 * 3_600_000) }),
      ...Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`lazy${i}`, pneumonia('2', 0.05)])),
    };
    const made = Object.entries(specs).map(([name, spec]) => [name, predictionMessage(monitoring.predictionTopic, spec)] as const);
    await producer.send(made.map(([, m]) => m.message));
    for (const [name, m] of made) ids[name] = m.predictionId;
    await monitoring.stored(Object.values(ids));

    const labels: [string, string | boolean][] = [
      ['a', 'pneumonia'], ['b', 'normal'], ['c', 'bacterial'], ['d', 'viral'], ['e', 'normal'], ['f', false], ['old', 'normal'],
      ...Array.from({ length: 10 }, (_, i): [string, string] => [`lazy${i}`, i < 2 ? 'pneumonia' : 'normal']),
    ];
    const res = await post({ items: labels.map(([name, label]) => ({ predictionId: ids[name], label })) });
    expect(res.json()).toMatchObject({ accepted: labels.length, unknown: [], rejected: [] });
  });
  afterAll(async () => {
    await monitoring.close();
    await producer.close();
    await admin.close();
    await db.drop();
  });

  const post = (body: object) => monitoring.app.inject({ method: 'POST', url: '/v1/feedback', headers: { authorization: `Bearer ${keys.writer}` }, payload: body });
  const get = (url: string, key = keys.reader) => monitoring.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${key}` } });
  const metrics = async () => (await monitoring.app.inject({ method: 'GET', url: '/metrics' })).body;

  test('the endpoint’s numbers match the hand-computed ones', async () => {
    const res = await get('/v1/monitoring/models/xray-pneumonia/performance?window=1h&version=1');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ model: 'xray-pneumonia', window: '1h' });
    // The window starts at the beginning of the minute an hour ago.
    const span = Date.parse(body.to) - Date.parse(body.from);
    expect(span).toBeGreaterThanOrEqual(3_600_000);
    expect(span).toBeLessThan(3_660_000);
    expect(Date.parse(body.from) % 60_000).toBe(0);
    const [v1] = body.versions;
    expect(body.versions).toHaveLength(1);
    // tp a, c; fp b; fn d; tn e, f.
    expect(v1).toMatchObject({ version: '1', predictions: 8, positiveRate: 0.5, labelled: 6, confusion: { tp: 2, fp: 1, fn: 1, tn: 2 } });
    const m = v1.metrics;
    expect(m.precision).toBeCloseTo(2 / 3, 12);
    expect(m.recall).toBeCloseTo(2 / 3, 12);
    expect(m.f1).toBeCloseTo(2 / 3, 12);
    expect(m.falseNegativeRate).toBeCloseTo(1 / 3, 12);
    expect(m.specificity).toBeCloseTo(2 / 3, 12);
    expect(m.accuracy).toBeCloseTo(4 / 6, 12);
    // Positives 0.9, 0.7, 0.4 against negatives 0.8, 0.3, 0.2: 3 + 2 + 2 of 9 pairs in order.
    expect(m.rocAuc).toBeCloseTo(7 / 9, 12);
    // (0.01 + 0.64 + 0.09 + 0.36 + 0.09 + 0.04) / 6
    expect(m.brier).toBeCloseTo(1.23 / 6, 12);
    expect(v1.baseline).toEqual({ majorityClass: 'negative', accuracy: 0.5, recall: 0, specificity: 1, rocAuc: 0.5 });
    expect(v1.belowBaseline).toBe(false);
    expect(v1.aucSample).toEqual({ size: 6, capped: false });

    const day = (await get('/v1/monitoring/models/xray-pneumonia/performance?window=1d&version=1')).json().versions[0];
    expect(day).toMatchObject({ predictions: 9, labelled: 7, confusion: { tp: 2, fp: 2, fn: 1, tn: 2 } });
  });

  test('a model that always answers the majority class shows recall 0 and no gain over the baseline', async () => {
    const body = (await get('/v1/monitoring/models/xray-pneumonia/performance?window=1h')).json();
    expect(body.versions.map((v: { version: string }) => v.version)).toEqual(['2', '1']);
    const lazy = body.versions[0];
    expect(lazy).toMatchObject({
      version: '2', predictions: 10, positiveRate: 0, labelled: 10, confusion: { tp: 0, fp: 0, fn: 2, tn: 8 },
      metrics: { recall: 0, falseNegativeRate: 1, f1: 0, precision: null, specificity: 1, accuracy: 0.8, rocAuc: 0.5 },
      baseline: { majorityClass: 'negative', accuracy: 0.8, recall: 0 },
      belowBaseline: true,
    });
  });

  test('the gauges carry model, version, window and metric, and an undefined metric is absent', async () => {
    await monitoring.refresh.refresh();
    const text = await metrics();
    const v1 = gauge(text, 'vigil_model_quality', { model: 'xray-pneumonia', version: '1', window: '1h' });
    expect(v1.get('recall')).toBeCloseTo(2 / 3, 12);
    expect(v1.get('roc_auc')).toBeCloseTo(7 / 9, 12);
    expect(v1.get('baseline_accuracy')).toBe(0.5);
    expect([...v1.keys()].sort()).toEqual(
      ['accuracy', 'baseline_accuracy', 'baseline_recall', 'brier', 'f1', 'false_negative_rate', 'positive_rate', 'precision', 'recall', 'roc_auc', 'specificity'],
    );
    const lazy = gauge(text, 'vigil_model_quality', { model: 'xray-pneumonia', version: '2', window: '1h' });
    expect(lazy.get('recall')).toBe(0);
    expect(lazy.has('precision')).toBe(false);
    expect(gauge(text, 'vigil_model_predictions', { model: 'xray-pneumonia', version: '1', window: '1d' }).get('')).toBe(9);
    expect(gauge(text, 'vigil_model_labelled', { model: 'xray-pneumonia', version: '1', window: '1h' }).get('')).toBe(6);
    expect(gauge(text, 'vigil_model_labelled', { model: 'xray-pneumonia', version: '1', window: '1d' }).get('')).toBe(7);
  });

  test('a new label shows in the endpoint at once and on /metrics after the refresh its write triggers', async () => {
    await post({ predictionId: ids.g, label: 'pneumonia' });
    const v1 = (await get('/v1/monitoring/models/xray-pneumonia/performance?window=1h&version=1')).json().versions[0];
    expect(v1).toMatchObject({ labelled: 7, confusion: { tp: 3, fp: 1, fn: 1, tn: 2 } });
    // The refresher polls every minute here: only the kick after the write can update the gauge.
    const labelled = await waitFor(
      async () => gauge(await metrics(), 'vigil_model_labelled', { model: 'xray-pneumonia', version: '1', window: '1h' }).get(''),
      (n) => n === 7,
      10_000,
    );
    expect(labelled).toBe(7);
  });

  test('an unknown model is 404, a bad window 400, and reading needs monitoring:read', async () => {
    expect((await get('/v1/monitoring/models/no-such-model/performance')).json()).toMatchObject({ status: 404, code: 'VIGIL_NOT_FOUND' });
    for (const window of ['7', '1w', '0h', '400d']) {
      const res = await get(`/v1/monitoring/models/xray-pneumonia/performance?window=${window}`);
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe('VIGIL_VALIDATION');
    }
    const res = await get('/v1/monitoring/models/xray-pneumonia/performance', keys.alerts);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'VIGIL_FORBIDDEN', requiredScopes: ['monitoring:read'] });
    // Without a window: the longest configured one (1d here).
    expect((await get('/v1/monitoring/models/xray-pneumonia/performance')).json().window).toBe('1d');
  });
});

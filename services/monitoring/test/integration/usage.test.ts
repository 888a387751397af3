import { createTestDatabase, type TestDatabase } from '../../../../tests/support/database';
import { recordedPredictions, registerVersion, startModelWatch } from '../support/model-watch';

const DAY_MS = 86_400_000;
const daysAgo = (d: number) => new Date(Date.now() - d * DAY_MS);

describe('GET /v1/models/{name}/usage: requests and last use per version, and the decommissioning flag', () => {
  let db: TestDatabase;
  let watch: Awaited<ReturnType<typeof startModelWatch>>;
  let key = '';

  beforeAll(async () => {
    db = await createTestDatabase();
    watch = await startModelWatch({ url: db.url, admin: db.pool, unusedDays: 30 });
    key = await watch.key(['monitoring:read']);
    // churn: v1 served until 40 days ago, v2 serves now, v3 was trained but never served.
    await registerVersion(db.pool, 'churn', 1, {}, daysAgo(100));
    await registerVersion(db.pool, 'churn', 2, {}, daysAgo(50));
    await registerVersion(db.pool, 'churn', 3, {}, daysAgo(2));
    await recordedPredictions(db.pool, 'churn', '1', [daysAgo(90), daysAgo(60), daysAgo(40)]);
    await recordedPredictions(db.pool, 'churn', '2', [daysAgo(45), daysAgo(1), daysAgo(0.1)]);
    // xray-type: nobody has asked it anything for 45 days.
    await registerVersion(db.pool, 'xray-type', 1, {}, daysAgo(120));
    await recordedPredictions(db.pool, 'xray-type', '1', [daysAgo(80), daysAgo(45)]);
    // xray-pneumonia: registered 60 days ago, never used.
    await registerVersion(db.pool, 'xray-pneumonia', 1, {}, daysAgo(60));
  });
  afterAll(async () => {
    await watch.close();
    await db.drop();
  });

  const usage = (name: string) => watch.app.inject({ method: 'GET', url: `/v1/models/${name}/usage`, headers: { authorization: `Bearer ${key}` } });

  test('a model in use: request count and last use per version, registered versions without use included, not flagged', async () => {
    const res = await usage('churn');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ model: 'churn', requests: 6, unusedForDays: 0, unusedThresholdDays: 30, flagged: false });
    expect(body.versions.map((v: { version: string; requests: number; unusedForDays: number }) => [v.version, v.requests, v.unusedForDays])).toEqual([
      ['3', 0, 2], ['2', 3, 0], ['1', 3, 40],
    ]);
    expect(body.versions[0]).toMatchObject({ lastUsedAt: null, registeredAt: expect.any(String) });
  });

  test('a model unused for longer than MODEL_UNUSED_DAYS is flagged, also one never used since it was registered', async () => {
    expect((await usage('xray-type')).json()).toMatchObject({ requests: 2, unusedForDays: 45, flagged: true });
    expect((await usage('xray-pneumonia')).json()).toMatchObject({ requests: 0, lastUsedAt: null, unusedForDays: 60, flagged: true });
  });

  test('a model monitoring has never heard of is 404; the report needs monitoring:read', async () => {
    expect((await usage('astrology')).statusCode).toBe(404);
    const writer = await watch.key(['feedback:write']);
    expect((await watch.app.inject({ method: 'GET', url: '/v1/models/churn/usage', headers: { authorization: `Bearer ${writer}` } })).statusCode).toBe(403);
  });
});

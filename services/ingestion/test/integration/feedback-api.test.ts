import { createApiKeyStore, decodeEvent, TOPICS, type VigilApp } from '@vigil/common';
import { createTestDatabase, type TestDatabase } from '../../../../tests/support/database';
import { buildIngestionApp } from '../../../../tests/support/ingestion-app';
import { testBus } from '../../../../tests/support/kafka';

describe('ingestion API: auth, problem+json, feedback with its outbox event', () => {
  let db: TestDatabase;
  let app: VigilApp;
  const admin = testBus().admin();
  const keys: Record<string, string> = {};
  let revokedKey = '';

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await buildIngestionApp(db.pool, admin);
    const store = createApiKeyStore(db.pool);
    keys.writer = (await store.create('crm-prod', ['feedback:write'])).key;
    keys.scorer = (await store.create('crm-scorer', ['churn:score'])).key;
    const revoked = await store.create('old-pacs', ['feedback:write']);
    await store.revoke(revoked.record.id);
    revokedKey = revoked.key;
  });
  afterAll(async () => {
    await app.close();
    await admin.close();
    await db.drop();
  });

  const postFeedback = (key: string | null, body: unknown = { entityId: '7590-VHVEG', label: 'Yes' }) =>
    app.inject({
      method: 'POST',
      url: '/v1/feedback',
      headers: key === null ? {} : { authorization: `Bearer ${key}` },
      payload: body as object,
    });

  test('a request without a key gets 401 problem+json and stores nothing', async () => {
    const res = await postFeedback(null);
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(res.json()).toMatchObject({ status: 401, code: 'VIGIL_UNAUTHENTICATED', instance: '/v1/feedback' });
    expect((await db.pool.query('SELECT 1 FROM ingestion.feedback')).rowCount).toBe(0);
  });

  test('a revoked key gets 401', async () => {
    const res = await postFeedback(revokedKey);
    expect(res.statusCode).toBe(401);
    expect(res.json().detail).toMatch(/revoked/);
  });

  test('a key without the feedback:write scope gets 403 naming the scope', async () => {
    const res = await postFeedback(keys.scorer);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'VIGIL_FORBIDDEN', requiredScopes: ['feedback:write'] });
  });

  test('accepted feedback is stored with the client name and its event waits in the same transaction’s outbox', async () => {
    const res = await postFeedback(keys.writer, { entityId: '7590-VHVEG', label: 'Yes', source: 'crm' });
    expect(res.statusCode).toBe(201);
    const { feedbackId } = res.json();
    const row = (await db.pool.query('SELECT * FROM ingestion.feedback WHERE id = $1', [feedbackId])).rows[0];
    expect(row).toMatchObject({ entity_id: '7590-VHVEG', label: 'Yes', source: 'crm', client_name: 'crm-prod' });
    const outbox = (await db.pool.query('SELECT * FROM ingestion.outbox WHERE topic = $1', [TOPICS.feedbackReceived])).rows;
    expect(outbox).toHaveLength(1);
    expect(outbox[0].msg_key).toBe('7590-VHVEG');
    const event = decodeEvent(TOPICS.feedbackReceived, outbox[0].payload);
    expect(event).toMatchObject({ entityId: '7590-VHVEG', label: 'Yes', clientName: 'crm-prod' });
    expect(event.meta).toMatchObject({ eventId: outbox[0].event_id, producer: 'ingestion' });
  });

  test('an invalid body gets 400 problem+json listing each field error, and nothing is stored', async () => {
    const before = (await db.pool.query('SELECT count(*)::int AS n FROM ingestion.feedback')).rows[0].n;
    const res = await postFeedback(keys.writer, { predictionId: 'not-a-uuid', label: '', extra: 1 });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('VIGIL_VALIDATION');
    expect(res.json().errors.length).toBeGreaterThanOrEqual(2);
    const noSubject = await postFeedback(keys.writer, { label: 'Yes' });
    expect(noSubject.statusCode).toBe(400);
    expect(noSubject.json().detail).toMatch(/predictionId or an entityId/);
    const after = (await db.pool.query('SELECT count(*)::int AS n FROM ingestion.feedback')).rows[0].n;
    expect(after).toBe(before);
  });

  test('malformed JSON gets 400, a non-JSON body 415 and an unknown route 404, all as problem+json', async () => {
    const bad = await app.inject({
      method: 'POST', url: '/v1/feedback', payload: '{"label":', headers: { authorization: `Bearer ${keys.writer}`, 'content-type': 'application/json' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
    const wrongType = await app.inject({
      method: 'POST', url: '/v1/feedback', payload: 'label=Yes', headers: { authorization: `Bearer ${keys.writer}`, 'content-type': 'text/plain' },
    });
    expect(wrongType.statusCode).toBe(415);
    expect(wrongType.json().code).toBe('VIGIL_UNSUPPORTED_MEDIA_TYPE');
    const missing = await app.inject({ method: 'GET', url: '/v1/nothing-here' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('VIGIL_NOT_FOUND');
  });

  test('the request id is returned in a header, and the caller’s own id is kept', async () => {
    const fresh = await app.inject({ method: 'GET', url: '/healthz' });
    expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const own = await app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'pacs-42' } });
    expect(own.headers['x-request-id']).toBe('pacs-42');
  });

  test('/metrics counts requests by route template and status, and /docs serves the OpenAPI document without a key', async () => {
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toMatch(/vigil_http_requests_total\{method="POST",route="\/v1\/feedback",status_code="201"/);
    expect(metrics.body).toMatch(/vigil_http_request_duration_seconds_bucket/);
    expect(metrics.body).toMatch(/process_cpu_user_seconds_total/);
    const docs = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(docs.statusCode).toBe(200);
    expect(docs.json().paths['/v1/feedback'].post.requestBody).toBeDefined();
  });

  test('whoami tells a client its name and scopes', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/whoami', headers: { authorization: `Bearer ${keys.writer}` } });
    expect(res.json()).toEqual({ client: 'crm-prod', scopes: ['feedback:write'] });
  });
});

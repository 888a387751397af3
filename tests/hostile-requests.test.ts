import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { VigilApp } from '@vigil/common';
import { useChurnStack } from './support/churn-stack';
import { buildBody, send, type HostileRequest } from './support/hostile-request';
import { waitFor } from './support/kafka';
import { TELCO_CSV } from './support/shared-data';

/**
 * tests/corpus/hostile-requests: one folder per request an attacker or a broken client sends
 * (request.json says how to build it, expected.json what it must get). Over real sockets to the
 * real apps with a live churn model: each gets its 4xx problem+json, never a 5xx or a dropped
 * connection, nothing is audited for it, and /healthz keeps answering while it is handled.
 */
const CORPUS = path.join(__dirname, 'corpus/hostile-requests');
const cases = readdirSync(CORPUS).sort();
const csvText = readFileSync(TELCO_CSV, 'utf8');
const { Churn: _label, ...customer } = (parse(csvText, { columns: true }) as Record<string, string>[])[0];

describe('hostile requests', () => {
  const ctx = useChurnStack({ 'red-team': ['*'] });
  let db: typeof ctx.db;
  let key = '';
  const urls: Record<string, string> = {};

  beforeAll(async () => {
    const { stack } = ctx;
    db = ctx.db;
    key = ctx.key['red-team'];
    const call = (app: VigilApp, method: 'GET' | 'POST', url: string, payload?: string, type = 'application/json') =>
      app.inject({ method, url, headers: { authorization: `Bearer ${key}`, 'content-type': type }, payload });
    const { datasetId } = (await call(stack.ingestion, 'POST', '/v1/datasets/churn', csvText, 'text/csv')).json();
    const { jobId } = (await call(stack.training, 'POST', '/v1/training/jobs', JSON.stringify({ pipeline: 'churn', datasetId }))).json();
    await waitFor(async () => (await call(stack.training, 'GET', `/v1/training/jobs/${jobId}`)).json().status, (s) => s === 'succeeded' || s === 'failed', 120_000);
    expect((await call(stack.training, 'POST', '/v1/models/churn/versions/1/promote', '{}')).statusCode).toBe(200);
    expect(await waitFor(() => ctx.stack.live.get('churn')?.ref.version, (v) => v === 1, 30_000)).toBe(1);
    for (const [name, app] of [['inference', stack.inference], ['ingestion', stack.ingestion]] as const) {
      urls[name] = await app.listen({ host: '127.0.0.1', port: 0 });
    }
  }, 240_000);

  test('the corpus has its cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(9);
  });

  test.each(cases)('%s gets its 4xx problem+json, loses nothing and stalls nothing', async (name) => {
    const req = JSON.parse(readFileSync(path.join(CORPUS, name, 'request.json'), 'utf8')) as HostileRequest;
    const expected = JSON.parse(readFileSync(path.join(CORPUS, name, 'expected.json'), 'utf8')) as { status: number; problem: Record<string, unknown> };
    const { body, contentType } = buildBody(req, customer);
    const headers = { authorization: `Bearer ${key}`, 'content-type': contentType, ...req.headers };
    const audited = async () => (await db.pool.query('SELECT count(*)::int AS n FROM inference.predictions')).rows[0].n as number;
    const before = await audited();

    // Liveness of the same process while the request is handled: the slowest /healthz answer.
    let handling = true;
    let slowestHealthMs = 0;
    const health = (async () => {
      while (handling) {
        const t0 = Date.now();
        await fetch(`${urls[req.service]}/healthz`).catch(() => undefined);
        slowestHealthMs = Math.max(slowestHealthMs, Date.now() - t0);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const answers = [];
    for (let i = 0; i < (req.repeat ?? 1); i++) answers.push(await send(`${urls[req.service]}${req.path}`, req.method, headers, body));
    handling = false;
    await health;

    for (const answer of answers) {
      expect(answer).toMatchObject({ status: expected.status, json: expected.problem });
      if ('contentType' in answer) expect(answer.contentType).toMatch(/^application\/problem\+json/);
    }
    expect(await audited()).toBe(before);
    // A stall is minutes (a 2 GB object hashed on the event loop took two); 5 s is only slack for a loaded CI machine.
    expect(slowestHealthMs).toBeLessThan(5000);
  }, 60_000);
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import * as ort from 'onnxruntime-node';
import { CHURN_FEATURES, createApiKeyStore, createPool, type Pool, type VigilApp } from '@vigil/common';
import { startChurnStack } from './support/churn-stack';
import { createTestDatabase, type TestDatabase } from './support/database';
import { testBus, waitFor } from './support/kafka';
import { TELCO_CSV } from './support/shared-data';
import { startTcpProxy } from './support/tcp-proxy';

type Row = Record<string, string>;
const csvText = readFileSync(TELCO_CSV, 'utf8');
const allRows = parse(csvText, { columns: true }) as Row[];
const header = Object.keys(allRows[0]);
const toCsv = (rows: Row[]) => [header.join(','), ...rows.map((r) => header.map((h) => (/[",]/.test(r[h]) ? `"${r[h]}"` : r[h])).join(','))].join('\n');
const asCustomer = ({ Churn: _label, ...rest }: Row) => rest;

describe('churn end to end: upload → train → promote → score → audit', () => {
  let db: TestDatabase;
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
  let inferencePool: Pool;
  let stack: Awaited<ReturnType<typeof startChurnStack>>;
  const bus = testBus();
  const admin = bus.admin();
  const key: Record<string, string> = {};

  beforeAll(async () => {
    db = await createTestDatabase();
    proxy = await startTcpProxy(5432);
    const url = new URL(db.url);
    url.port = String(proxy.port);
    inferencePool = createPool({ connectionString: url.toString(), applicationName: 'inference-under-test' });
    stack = await startChurnStack({ pool: db.pool, inferencePool, bus, admin });
    const keys = createApiKeyStore(db.pool);
    key.ml = (await keys.create('ml-engineer', ['models:admin'])).key;
    key.crm = (await keys.create('crm-prod', ['churn:score'])).key;
    key.auditor = (await keys.create('auditor', ['audit:read'])).key;
  });
  afterAll(async () => {
    await stack?.close();
    await inferencePool?.end();
    await proxy?.close();
    await admin.close();
    await db.drop();
  });

  const call = (app: VigilApp, who: string, method: 'GET' | 'POST', url: string, payload?: unknown, contentType = 'application/json') =>
    app.inject({ method, url, headers: { authorization: `Bearer ${key[who]}`, 'content-type': contentType }, payload: payload as string });

  async function uploadAndTrain(csv: string): Promise<{ datasetId: string; sha256: string; job: Record<string, any> }> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const uploaded = await call(stack.ingestion, 'ml', 'POST', '/v1/datasets/churn', csv, 'text/csv');
    expect([200, 201]).toContain(uploaded.statusCode);
    const { datasetId, sha256 } = uploaded.json();
    const queued = await call(stack.training, 'ml', 'POST', '/v1/training/jobs', { pipeline: 'churn', datasetId });
    expect(queued.statusCode).toBe(202);
    const job = await waitFor(
      async () => (await call(stack.training, 'ml', 'GET', `/v1/training/jobs/${queued.json().jobId}`)).json(),
      (j) => j.status === 'succeeded' || j.status === 'failed',
      120_000,
    );
    return { datasetId, sha256, job };
  }

  const score = (rows: Row[]) => call(stack.inference, 'crm', 'POST', '/v1/churn/score', { customers: rows.map(asCustomer) });
  const waitLive = (version: number) => waitFor(() => stack.live.get('churn')?.ref.version, (v) => v === version, 30_000);
  const predictionCount = async () => (await db.pool.query('SELECT count(*)::int AS n FROM inference.predictions')).rows[0].n;
  const sample = allRows.slice(0, 3);
  let v1Scores: number[] = [];

  test('a model trained on the uploaded table records its metrics and lineage, and nothing is served before promotion', async () => {
    const { datasetId, sha256, job } = await uploadAndTrain(csvText);
    expect(job.status).toBe('succeeded');
    expect(job.model).toEqual({ name: 'churn', version: 1 });
    expect(job.metrics.rocAuc).toBeGreaterThan(0.8);
    expect(job.metrics.rocAuc).toBeGreaterThan(job.metrics.baseline.rocAuc);
    expect(job.lineage).toMatchObject({ datasetId, datasetSha256: sha256, codeCommit: 'test-commit', seed: 42, modelSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const notYet = await score(sample);
    expect(notYet.statusCode).toBe(503);
    expect(notYet.json().code).toBe('VIGIL_MODEL_NOT_READY');
  });

  test('after promotion the inference service loads the version from the model-deployed event and scores with explanations', async () => {
    const promoted = await call(stack.training, 'ml', 'POST', '/v1/models/churn/versions/1/promote', {});
    expect(promoted.statusCode).toBe(200);
    expect(await waitLive(1)).toBe(1);
    const res = await score(sample);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.model).toMatchObject({ name: 'churn', version: 1, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(body.predictions.map((p: { customerID: string }) => p.customerID)).toEqual(sample.map((r) => r.customerID));
    for (const p of body.predictions) {
      expect(p.probability).toBeGreaterThan(0);
      expect(p.probability).toBeLessThan(1);
      expect(p.explanation.length).toBeGreaterThan(0);
    }
    v1Scores = body.predictions.map((p: { probability: number }) => p.probability);
    // Deterministic: the same rows give the same numbers, explanations included.
    expect((await score(sample)).json().predictions.map((p: { explanation: unknown }) => p.explanation)).toEqual(
      body.predictions.map((p: { explanation: unknown }) => p.explanation),
    );
  });

  test('bad customers are refused whole with 422 naming rows and problems, and nothing is audited', async () => {
    const before = await predictionCount();
    const { Contract: _c, ...noContract } = asCustomer(sample[1]);
    const res = await call(stack.inference, 'crm', 'POST', '/v1/churn/score', {
      customers: [asCustomer(sample[0]), noContract, { ...asCustomer(sample[2]), tenure: 'abc' }],
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([
      { row: 2, customerID: sample[1].customerID, problem: 'Contract: missing' },
      { row: 3, customerID: sample[2].customerID, problem: expect.stringMatching(/^tenure: /) },
    ]);
    expect((await call(stack.inference, 'crm', 'POST', '/v1/churn/score', { customers: [] })).statusCode).toBe(400);
    const tooMany = Array.from({ length: 1001 }, () => asCustomer(sample[0]));
    expect((await call(stack.inference, 'crm', 'POST', '/v1/churn/score', { customers: tooMany })).statusCode).toBe(400);
    expect(await predictionCount()).toBe(before);
  });

  test('onnxruntime alone, on the stored artifact, reproduces the service’s probabilities for raw rows', async () => {
    const session = await ort.InferenceSession.create(path.join(stack.modelDir, 'churn/1/model.onnx'));
    const feeds = Object.fromEntries(
      CHURN_FEATURES.map((f) => [
        f.name,
        f.kind === 'categorical'
          ? new ort.Tensor('string', sample.map((r) => r[f.name]), [sample.length, 1])
          : new ort.Tensor('float32', Float32Array.from(sample, (r) => (r[f.name].trim() === '' ? NaN : Number(r[f.name]))), [sample.length, 1]),
      ]),
    );
    const out = await session.run(feeds);
    const onnxScores = Array.from(out.probability.data as Float32Array);
    onnxScores.forEach((p, i) => expect(p).toBeCloseTo(v1Scores[i], 5));
  });

  test('every score is audited with its client, model identity and input hash, and the audit record can be read back', async () => {
    const res = await score(sample.slice(0, 1));
    const { predictionId, probability } = res.json().predictions[0];
    const audit = await call(stack.inference, 'auditor', 'GET', `/v1/audit/predictions/${predictionId}`);
    expect(audit.statusCode).toBe(200);
    expect(audit.json()).toMatchObject({
      predictionId, client: 'crm-prod', entityId: sample[0].customerID,
      model: { name: 'churn', version: 1, sha256: res.json().model.sha256 },
      inputSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      output: { probability },
    });
    const events = await db.pool.query(`SELECT count(*)::int AS n FROM inference.outbox WHERE topic = 'vigil.prediction.made.v1'`);
    expect(events.rows[0].n).toBe(await predictionCount());
    expect((await call(stack.inference, 'crm', 'GET', `/v1/audit/predictions/${predictionId}`)).statusCode).toBe(403);
  });

  test('Open Inference Protocol V2 serves the live model on the same audited path', async () => {
    const inf = stack.inference;
    expect((await inf.inject({ method: 'GET', url: '/v2/health/live' })).json()).toEqual({ live: true });
    expect((await inf.inject({ method: 'GET', url: '/v2/models/churn/ready' })).statusCode).toBe(200);
    expect((await inf.inject({ method: 'GET', url: '/v2/models/churn/versions/7/ready' })).statusCode).toBe(404);
    const meta = (await call(inf, 'crm', 'GET', '/v2/models/churn')).json();
    expect(meta).toMatchObject({ name: 'churn', versions: ['1'], platform: 'onnxruntime_onnx' });
    expect(meta.inputs).toHaveLength(CHURN_FEATURES.length);
    const inputs = meta.inputs.map((spec: { name: string; datatype: string }) => ({
      name: spec.name,
      datatype: spec.datatype,
      shape: [sample.length, 1],
      data: sample.map((r) => (spec.datatype === 'BYTES' ? r[spec.name] : r[spec.name].trim() === '' ? null : Number(r[spec.name]))),
    }));
    const before = await predictionCount();
    const res = await call(inf, 'crm', 'POST', '/v2/models/churn/versions/1/infer', { id: 'req-1', inputs });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ model_name: 'churn', model_version: '1', id: 'req-1' });
    const probability = body.outputs.find((o: { name: string }) => o.name === 'probability');
    expect(probability.shape).toEqual([sample.length, 1]);
    probability.data.forEach((p: number, i: number) => expect(p).toBeCloseTo(v1Scores[i], 6));
    expect(body.parameters.prediction_ids).toHaveLength(sample.length);
    expect(await predictionCount()).toBe(before + sample.length);
    const wrongShape = await call(inf, 'crm', 'POST', '/v2/models/churn/infer', { inputs: inputs.slice(1) });
    expect(wrongShape.statusCode).toBe(400);
    expect(wrongShape.json().detail).toMatch(/Missing input gender/);
    expect((await call(inf, 'crm', 'POST', '/v2/models/nope/infer', { inputs })).statusCode).toBe(404);
    const noScope = await call(inf, 'auditor', 'POST', '/v2/models/churn/infer', { inputs });
    expect(noScope.statusCode).toBe(403);
  });

  let smallDatasetId = '';

  test('a job that cannot train fails and says why', async () => {
    const retained = allRows.filter((r) => r.Churn === 'No').slice(0, 40);
    const { job } = await uploadAndTrain(toCsv(retained));
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/both churned and retained/);
    expect(job.model).toBeNull();
  });

  test('a worse candidate is refused by the promotion gate, can be forced with a reason, and rollback brings back v1’s predictions', async () => {
    // 300 rows cannot make a model as good as 5,634: on its own holdout it loses to v1.
    const { job, datasetId } = await uploadAndTrain(toCsv(allRows.slice(0, 300)));
    smallDatasetId = datasetId;
    expect(job.model).toEqual({ name: 'churn', version: 2 });
    const refused = await call(stack.training, 'ml', 'POST', '/v1/models/churn/versions/2/promote', {});
    expect(refused.statusCode).toBe(409);
    expect(refused.json().comparison.liveRocAuc - refused.json().comparison.candidateRocAuc).toBeGreaterThan(0.01);
    expect((await call(stack.training, 'ml', 'POST', '/v1/models/churn/versions/2/promote', { force: true })).statusCode).toBe(400);
    // Requests keep flowing through the hot swap; none may fail.
    const statuses: number[] = [];
    let swapping = true;
    const traffic = (async () => {
      while (swapping) statuses.push((await score(sample)).statusCode);
    })();
    const forced = await call(stack.training, 'ml', 'POST', '/v1/models/churn/versions/2/promote', { force: true, reason: 'A/B trial' });
    expect(forced.statusCode).toBe(200);
    expect(await waitLive(2)).toBe(2);
    swapping = false;
    await traffic;
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    const v2Scores = (await score(sample)).json().predictions.map((p: { probability: number }) => p.probability);
    expect(v2Scores).not.toEqual(v1Scores);

    const rolledBack = await call(stack.training, 'ml', 'POST', '/v1/models/churn/rollback', { reason: 'trial over' });
    expect(rolledBack.statusCode).toBe(200);
    expect(await waitLive(1)).toBe(1);
    expect((await score(sample)).json().predictions.map((p: { probability: number }) => p.probability)).toEqual(v1Scores);

    const history = (await call(stack.training, 'ml', 'GET', '/v1/models/churn/history')).json().deployments;
    expect(history.map((d: { version: number; action: string; forced: boolean; actor: string }) => [d.version, d.action, d.forced, d.actor])).toEqual([
      [1, 'promote', false, 'ml-engineer'],
      [2, 'promote', true, 'ml-engineer'],
      [1, 'rollback', false, 'ml-engineer'],
    ]);
    const versions = (await call(stack.training, 'ml', 'GET', '/v1/models/churn/versions')).json();
    expect(versions.liveVersion).toBe(1);
    expect(versions.versions).toHaveLength(2);
  });

  test('a batch job scores every customer of a dataset into churn_scores, each score audited', async () => {
    const queued = await call(stack.inference, 'crm', 'POST', '/v1/churn/batch-jobs', { datasetId: smallDatasetId });
    expect(queued.statusCode).toBe(202);
    const job = await waitFor(
      async () => (await call(stack.inference, 'crm', 'GET', `/v1/churn/batch-jobs/${queued.json().jobId}`)).json(),
      (j) => j.status !== 'queued' && j.status !== 'running',
      60_000,
    );
    expect(job).toMatchObject({ status: 'succeeded', totalRows: 300, scored: 300, progress: 1 });
    const scores = await db.pool.query(
      `SELECT s.customer_id, s.model_version, p.client_name FROM inference.churn_scores s JOIN inference.predictions p ON p.id = s.prediction_id WHERE s.job_id = $1`,
      [job.jobId],
    );
    expect(scores.rowCount).toBe(300);
    expect(new Set(scores.rows.map((r) => r.customer_id)).size).toBe(300);
    expect(scores.rows.every((r) => r.model_version === 1 && r.client_name === 'crm-prod')).toBe(true);
  });

  test('a batch job whose process died resumes from its last committed chunk', async () => {
    // As a crash leaves it: running, 200 rows done (their chunk committed elsewhere), heartbeat stale.
    const jobId = '00000000-0000-4000-8000-000000000001';
    await db.pool.query(
      `INSERT INTO inference.batch_jobs (id, dataset_id, status, total_rows, next_row, scored, model_name, requested_by, started_at, heartbeat_at)
       VALUES ($1, $2, 'running', 300, 200, 200, 'churn', 'crm-prod', now() - interval '1 minute', now() - interval '1 minute')`,
      [jobId, smallDatasetId],
    );
    const job = await waitFor(
      async () => (await call(stack.inference, 'crm', 'GET', `/v1/churn/batch-jobs/${jobId}`)).json(),
      (j) => j.status === 'succeeded' || j.status === 'failed',
      60_000,
    );
    expect(job).toMatchObject({ status: 'succeeded', scored: 300 });
    const scored = await db.pool.query('SELECT count(*)::int AS n FROM inference.churn_scores WHERE job_id = $1', [jobId]);
    expect(scored.rows[0].n).toBe(100);
  });

  test('while Postgres is unreachable scoring answers 503 and no score leaves unaudited', async () => {
    const before = await predictionCount();
    await proxy.cut();
    try {
      const res = await score(sample);
      expect(res.statusCode).toBe(503);
      expect(res.json().code).toBe('VIGIL_UNAVAILABLE');
      expect(res.json().predictions).toBeUndefined();
    } finally {
      await proxy.restore();
    }
    expect(await predictionCount()).toBe(before);
    expect((await score(sample)).statusCode).toBe(200);
  });

  test('the customer endpoint scores a stored record, and an unknown customer is 404', async () => {
    const known = await call(stack.inference, 'crm', 'GET', `/v1/churn/customers/${sample[1].customerID}/score`);
    expect(known.statusCode).toBe(200);
    expect(known.json().predictions[0].probability).toBeCloseTo(v1Scores[1], 10);
    expect((await call(stack.inference, 'crm', 'GET', '/v1/churn/customers/nobody/score')).statusCode).toBe(404);
  });
});

import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApiKeyStore, createMetricsRegistry, type VigilApp } from '@vigil/common';
import { createTestDatabase, type TestDatabase } from '../../../../tests/support/database';
import { silentLogger } from '../../../../tests/support/kafka';
import { customDomainModel, linearRegression, logisticRegression, makeLogisticRegression, modelForm as form, planTree } from '../../../../tests/support/sklearn-style-models';
import { createModelInspector } from '../../src/adapters/onnx/model-inspector';
import { createDatasetReader } from '../../src/adapters/postgres/dataset-reader';
import { createJobStore } from '../../src/adapters/postgres/job-store';
import { createRegistrationStore } from '../../src/adapters/postgres/registration-store';
import { createRegistryStore } from '../../src/adapters/postgres/registry-store';
import { createModelRepository } from '../../src/adapters/storage/model-repository';
import { buildApp } from '../../src/app';

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
const binaryConfig = { task: 'binary-classification', classes: [0, 1], lineage: { codeCommit: 'abc123', author: 'ds@example.com', datasetUri: 's3://bucket/train.parquet' } };

describe('POST /v1/models/{name}/versions: registering a model built elsewhere', () => {
  let db: TestDatabase;
  let app: VigilApp;
  let key = '';
  const repositoryDir = mkdtempSync(path.join(os.tmpdir(), 'vigil-models-'));

  beforeAll(async () => {
    db = await createTestDatabase();
    const repository = createModelRepository(repositoryDir);
    app = await buildApp({
      logger: silentLogger, metrics: createMetricsRegistry('training'), apiKeys: createApiKeyStore(db.pool), readiness: {},
      jobs: createJobStore(db.pool, repository), datasets: createDatasetReader(db.pool), registry: createRegistryStore(db.pool), promotionMargin: 0.01,
      registration: { inspector: createModelInspector(), store: createRegistrationStore(db.pool, repository), maxModelBytes: 1024 * 1024, files: repository },
    });
    key = (await createApiKeyStore(db.pool).create('ml-ops', ['models:admin'])).key;
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  const register = (name: string, onnx: Uint8Array, config: unknown, extra: Record<string, string> = {}) => {
    const f = form(onnx, config, extra);
    return app.inject({ method: 'POST', url: `/v1/models/${name}/versions`, headers: { authorization: `Bearer ${key}`, 'content-type': f.contentType }, payload: f.body });
  };
  const versionsOf = async (name: string) => (await db.pool.query('SELECT version FROM training.model_versions WHERE name = $1', [name])).rows.length;

  test('a skl2onnx LogisticRegression with ZipMap registers with its signature, its lineage and both hashes', async () => {
    const res = await register('credit-risk', logisticRegression.onnx, binaryConfig);
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ name: 'credit-risk', version: 1, task: 'binary-classification', classes: [0, 1] });
    expect(body.signature.inputs).toEqual([{ name: 'float_input', datatype: 'FP32', shape: [-1, 3] }]);
    expect(body.signature.outputs).toEqual([
      { name: 'output_label', datatype: 'INT64', shape: [-1] },
      { name: 'output_probability', datatype: 'FP32', shape: [-1, 2] },
    ]);
    expect(body.lineage).toMatchObject({ codeCommit: 'abc123', author: 'ds@example.com', uploadedSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    // What is served is the rewritten graph: its hash is the version's, the upload's is kept beside it.
    expect(body.sha256).toBe(body.lineage.servedSha256);
    expect(body.lineage.uploadedSha256).not.toBe(body.sha256);
    expect(body.lineage.rewritten).toEqual(['ZipMap output_probability served as a float tensor [N, 2]']);
    expect(readdirSync(path.join(repositoryDir, 'credit-risk', '1')).sort()).toEqual(['config.json', 'model.onnx']);

    const listed = await app.inject({ method: 'GET', url: '/v1/models/credit-risk/versions', headers: { authorization: `Bearer ${key}` } });
    expect(listed.json().versions[0]).toMatchObject({ version: 1, status: 'available', source: 'registered', registeredBy: 'ml-ops', jobId: null });
  });

  test('the same bytes and config again answer 200 with the same version; a new config is a new version', async () => {
    const again = await register('credit-risk', logisticRegression.onnx, { ...binaryConfig });
    expect(again.statusCode).toBe(200);
    expect(again.json().version).toBe(1);
    const tuned = await register('credit-risk', logisticRegression.onnx, { ...binaryConfig, threshold: 0.3 });
    expect(tuned.statusCode).toBe(201);
    expect(tuned.json().version).toBe(2);
  });

  test('string inputs, a tree ensemble and string labels register as exported', async () => {
    const res = await register('plan-movers', planTree.onnx, { task: 'multiclass-classification', classes: planTree.classes });
    expect(res.statusCode).toBe(201);
    expect(res.json().signature.inputs).toEqual([{ name: 'plan', datatype: 'BYTES', shape: [-1, 1] }, { name: 'usage', datatype: 'FP32', shape: [-1, 1] }]);
  });

  test('a reference CSV becomes the version\'s drift reference: every input column and the score', async () => {
    const csv = ['plan,usage', ...Array.from({ length: 200 }, (_, i) => `${['basic', 'plus', 'pro'][i % 3]},${i % 40}`)].join('\n');
    const res = await register('plan-movers-ref', planTree.onnx, { task: 'multiclass-classification', classes: planTree.classes }, { reference: csv });
    expect(res.statusCode).toBe(201);
    const { rows } = await db.pool.query("SELECT config->'reference' AS reference FROM training.model_versions WHERE name = 'plan-movers-ref'");
    const reference = rows[0].reference;
    expect(reference.n).toBe(200);
    expect(reference.features.map((f: { name: string; kind: string }) => [f.name, f.kind])).toEqual([['plan', 'categorical'], ['usage', 'numeric']]);
    expect(reference.features[0].categories).toEqual(['basic', 'plus', 'pro']);
    // The score is the answered class's probability: the tree's leaves give 0.7, 0.6 or 0.8.
    expect(reference.score.edges.every((e: number) => [0.6, 0.7, 0.8].some((v) => Math.abs(v - e) < 1e-6))).toBe(true);

    const wide = await register('wide-ref', linearRegression.onnx, { task: 'regression' }, { reference: 'float_input_0,float_input_1\n1,2\n3,4\n' });
    expect(wide.statusCode).toBe(201);
    const missing = await register('refused', linearRegression.onnx, { task: 'regression' }, { reference: 'a,b\n1,2\n' });
    expect(missing.statusCode).toBe(422);
    expect(missing.json()).toMatchObject({ reason: 'invalid-reference', missing: ['float_input_0', 'float_input_1'] });
    const typed = await register('refused', planTree.onnx, { task: 'multiclass-classification', classes: planTree.classes }, { reference: 'plan,usage\nbasic,lots\n' });
    expect(typed.json().detail).toMatch(/row 1, column usage: "lots" is not a number/);
  });

  test('a holdout is scored at registration and gates promotion against the live version on the candidate\'s rows', async () => {
    const good = makeLogisticRegression([0.8, -1.2, 0.5], -0.3);
    const bad = makeLogisticRegression([-0.8, 1.2, -0.5], 0.3);
    const rows = Array.from({ length: 60 }, (_, i) => [(i % 5) - 2, (i % 7) / 3 - 1, (i % 3) - 1]);
    const holdout = ['float_input_0,float_input_1,float_input_2,label', ...rows.map((x) => `${x.join(',')},${good.predictProba(x)[1] >= 0.5 ? 1 : 0}`)].join('\n');
    const config = { task: 'binary-classification', classes: [0, 1] };
    const v1 = await register('gated', good.onnx, config, { holdout });
    expect(v1.statusCode).toBe(201);
    expect(v1.json().holdout).toEqual({ metric: 'roc_auc', value: 1, rows: 60 });
    expect(readdirSync(path.join(repositoryDir, 'gated', '1')).sort()).toEqual(['config.json', 'holdout.csv', 'model.onnx']);
    const promote = (version: number, body: object = {}) =>
      app.inject({ method: 'POST', url: `/v1/models/gated/versions/${version}/promote`, headers: { authorization: `Bearer ${key}` }, payload: body });
    expect((await promote(1)).statusCode).toBe(200);

    const v2 = await register('gated', bad.onnx, config, { holdout });
    expect(v2.json().holdout.value).toBe(0);
    const refused = await promote(2);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().comparison).toEqual({ metric: 'roc_auc', rows: 60, candidate: 0, live: 1 });
    const forced = await promote(2, { force: true, reason: 'A/B test says otherwise' });
    expect(forced.statusCode).toBe(200);
    expect(forced.json().deployment).toMatchObject({ version: 2, forced: true, reason: 'A/B test says otherwise' });

    const v3 = await register('gated', good.onnx, { ...config, threshold: 0.4 });
    expect((await promote(v3.json().version)).json()).toMatchObject({ code: 'VIGIL_CONFLICT', reason: 'no-holdout' });

    const noLabel = await register('refused', good.onnx, config, { holdout: 'float_input_0,float_input_1,float_input_2\n1,2,3\n' });
    expect(noLabel.json()).toMatchObject({ code: 'VIGIL_UNPROCESSABLE', reason: 'invalid-holdout' });
    const wrongLabel = await register('refused', good.onnx, config, { holdout: 'float_input_0,float_input_1,float_input_2,label\n1,2,3,yes\n' });
    expect(wrongLabel.json().detail).toMatch(/row 1: label "yes" is not one of \[0,1\]/);
  });

  test('a regression finds its one float output', async () => {
    const res = await register('house-price', linearRegression.onnx, { task: 'regression' });
    expect(res.statusCode).toBe(201);
    expect(res.json().signature.outputs).toEqual([{ name: 'variable', datatype: 'FP32', shape: [-1, 1] }]);
  });

  test.each([
    ['an empty file', Buffer.alloc(0), binaryConfig, 'not-onnx'],
    ['a PNG named model.onnx', PNG, binaryConfig, 'not-onnx'],
    ['a truncated ONNX', logisticRegression.onnx.subarray(0, 200), binaryConfig, 'not-onnx'],
    ['a custom-domain operator', customDomainModel, { task: 'regression' }, 'unsupported-operator'],
    ['classes that do not match the probability columns', logisticRegression.onnx, { task: 'multiclass-classification', classes: ['a', 'b', 'c'] }, 'class-count'],
    ['class labels other than the model\'s own', logisticRegression.onnx, { task: 'binary-classification', classes: ['no', 'yes'] }, 'class-labels'],
    ['an output name the graph lacks', logisticRegression.onnx, { ...binaryConfig, outputs: { probabilities: 'scores' } }, 'invalid-config'],
    ['an input datatype mismatch', logisticRegression.onnx, { ...binaryConfig, inputs: [{ name: 'float_input', datatype: 'FP64' }] }, 'input-datatype'],
    ['an unknown task', logisticRegression.onnx, { task: 'astrology' }, 'invalid-config'],
  ])('%s is refused with 422 naming the problem, and nothing is stored', async (_what, onnx, config, reason) => {
    const before = await versionsOf('refused');
    const res = await register('refused', onnx, config);
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ code: 'VIGIL_UNPROCESSABLE', reason });
    expect(await versionsOf('refused')).toBe(before);
    expect(existsSync(path.join(repositoryDir, 'refused'))).toBe(false);
  });

  test('a custom-domain operator is named with its domain', async () => {
    const res = await register('refused', customDomainModel, { task: 'regression' });
    expect(res.json()).toMatchObject({ operator: 'FancyScale', domain: 'com.acme.ops' });
    expect(res.json().detail).toMatch(/FancyScale of domain com\.acme\.ops/);
  });

  test('a model over MODEL_MAX_BYTES is 413, a config that is not JSON 400, a missing part 400', async () => {
    expect((await register('refused', Buffer.alloc(2 * 1024 * 1024, 1), binaryConfig)).statusCode).toBe(413);
    const notJson = await register('refused', logisticRegression.onnx, '{task: binary');
    expect(notJson.statusCode).toBe(400);
    const json = await app.inject({ method: 'POST', url: '/v1/models/refused/versions', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, payload: '{}' });
    expect(json.statusCode).toBe(415);
    expect(await versionsOf('refused')).toBe(0);
  });

  test('registering needs models:admin', async () => {
    const crm = (await createApiKeyStore(db.pool).create('crm', ['churn:score'])).key;
    const f = form(logisticRegression.onnx, binaryConfig);
    const res = await app.inject({ method: 'POST', url: '/v1/models/credit-risk/versions', headers: { authorization: `Bearer ${crm}`, 'content-type': f.contentType }, payload: f.body });
    expect(res.statusCode).toBe(403);
  });
});

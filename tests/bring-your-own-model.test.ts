import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { VigilApp } from '@vigil/common';
import { useChurnStack } from './support/churn-stack';
import { REPO_ROOT, waitFor } from './support/kafka';
import { linearRegression, logisticRegression, modelForm, planTree } from './support/sklearn-style-models';

/**
 * A data scientist's exported models, end to end through the real services: registered on
 * training, promoted (forced: they bring no holdout), loaded by inference from the model-deployed
 * event, served over REST and OIP V2 by their task, audited, guarded by predict:{name}, retired.
 */
const run = promisify(execFile);

describe('bring your own model: register → promote → predict → audit → retire', () => {
  const ctx = useChurnStack({
    'ml-ops': ['models:admin'], 'risk-engine': ['predict:credit-risk'], 'batch-scorer': ['predict:*'], crm: ['churn:score'],
    labeller: ['feedback:write', 'monitoring:read'], auditor: ['audit:read'],
  }, { monitoring: true });
  const key: Record<string, string> = {};
  let stack: typeof ctx.stack;
  let db: typeof ctx.db;

  beforeAll(async () => {
    ({ stack, db } = ctx);
    Object.assign(key, { ml: ctx.key['ml-ops'], risk: ctx.key['risk-engine'], all: ctx.key['batch-scorer'], crm: ctx.key.crm, labeller: ctx.key.labeller, auditor: ctx.key.auditor });
    for (const [name, onnx, config] of [
      ['credit-risk', logisticRegression.onnx, { task: 'binary-classification', classes: [0, 1], threshold: 0.5, lineage: { codeCommit: 'nb-7f3a', author: 'ds' } }],
      ['plan-movers', planTree.onnx, { task: 'multiclass-classification', classes: planTree.classes }],
      ['house-price', linearRegression.onnx, { task: 'regression' }],
    ] as const) {
      // house-price brings the training inputs it was fitted on, for drift.
      const reference = ['float_input_0,float_input_1', ...Array.from({ length: 100 }, (_, i) => `${i % 10},${i % 7}`)].join('\n');
      const f = modelForm(onnx, config, name === 'house-price' ? { reference } : {});
      const res = await stack.training.inject({ method: 'POST', url: `/v1/models/${name}/versions`, headers: { authorization: `Bearer ${key.ml}`, 'content-type': f.contentType }, payload: f.body });
      expect(res.statusCode).toBe(201);
    }
  }, 120_000);

  const call = (app: VigilApp, who: string, url: string, payload?: unknown) =>
    app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${key[who]}`, 'content-type': 'application/json' }, payload: payload as object });
  const predict = (who: string, name: string, instances: unknown[]) => call(stack.inference, who, `/v1/models/${name}/predict`, { instances });
  const audited = async () => (await db.pool.query('SELECT count(*)::int AS n FROM inference.predictions')).rows[0].n as number;

  test('a registered version without a holdout is promoted only when forced with a reason, then served', async () => {
    const refused = await call(stack.training, 'ml', '/v1/models/credit-risk/versions/1/promote', {});
    expect(refused.statusCode).toBe(409);
    expect(refused.json().reason).toBe('no-holdout');
    for (const name of ['credit-risk', 'plan-movers', 'house-price']) {
      const promoted = await call(stack.training, 'ml', `/v1/models/${name}/versions/1/promote`, { force: true, reason: 'validated offline in the notebook' });
      expect(promoted.statusCode).toBe(200);
    }
    for (const name of ['credit-risk', 'plan-movers', 'house-price']) {
      expect(await waitFor(() => stack.live.get(name)?.ref.version, (v) => v === 1, 30_000)).toBe(1);
    }
  });

  test('a binary classifier answers its own labels and scikit-learn\'s probabilities (1e-5), each prediction audited', async () => {
    const rows = [[0.5, 1.0, -2.0], [3.0, -1.0, 0.5], [0, 0, 0]];
    const res = await predict('risk', 'credit-risk', rows.map((x) => ({ float_input: x })));
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.model).toMatchObject({ name: 'credit-risk', version: 1, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    body.predictions.forEach((p: { label: number; probabilities: Record<string, number> }, i: number) => {
      const expected = logisticRegression.predictProba(rows[i]);
      expect(p.probabilities['0']).toBeCloseTo(expected[0], 5);
      expect(p.probabilities['1']).toBeCloseTo(expected[1], 5);
      expect(p.label).toBe(expected[1] >= 0.5 ? 1 : 0);
    });
    const ids = body.predictions.map((p: { predictionId: string }) => p.predictionId);
    const rowsInAudit = await db.pool.query('SELECT model_name, model_version, model_sha256, client_name, input, output FROM inference.predictions WHERE id = ANY($1::uuid[]) ORDER BY created_at', [ids]);
    expect(rowsInAudit.rows).toHaveLength(3);
    expect(rowsInAudit.rows[0]).toMatchObject({ model_name: 'credit-risk', model_version: 1, model_sha256: body.model.sha256, client_name: 'risk-engine' });
    expect(rowsInAudit.rows.map((r) => r.input.float_input)).toEqual(expect.arrayContaining(rows));
    // The audit is evidence: replaying a stored prediction on its version gives the same output, bit for bit.
    const replay = await call(stack.inference, 'auditor', `/v1/audit/predictions/${ids[0]}/replay`, {});
    expect(replay.statusCode).toBe(200);
    expect(replay.json()).toMatchObject({ predictionId: ids[0], identical: true });
  });

  test('string inputs and string labels: a tree ensemble behind a one-hot encoder', async () => {
    const rows = [{ plan: 'basic', usage: 5 }, { plan: 'basic', usage: 50 }, { plan: 'pro', usage: 50 }, { plan: 'unknown-plan', usage: 50 }];
    const res = await predict('all', 'plan-movers', rows);
    expect(res.statusCode).toBe(200);
    res.json().predictions.forEach((p: { label: string; probabilities: Record<string, number> }, i: number) => {
      const expected = planTree.predictProba(rows[i].plan, rows[i].usage);
      planTree.classes.forEach((c, k) => expect(p.probabilities[c]).toBeCloseTo(expected[k], 5));
      expect(p.label).toBe(planTree.classes[expected.indexOf(Math.max(...expected))]);
    });
  });

  test('a regression answers its value', async () => {
    const res = await predict('all', 'house-price', [{ float_input: [4, 8] }, [1, 2]]);
    expect(res.statusCode).toBe(200);
    expect(res.json().predictions.map((p: { value: number }) => p.value)).toEqual([
      expect.closeTo(linearRegression.predict([4, 8]), 5), expect.closeTo(linearRegression.predict([1, 2]), 5),
    ]);
  });

  test('missing, extra and wrongly typed features are one 422 listing each, and nothing is audited', async () => {
    const before = await audited();
    const res = await predict('all', 'plan-movers', [{ plan: 'basic' }, { plan: 'pro', usage: 3, colour: 'red' }, { plan: 7, usage: 'lots' }]);
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([
      { row: 1, feature: 'usage', problem: 'missing' },
      { row: 2, feature: 'colour', problem: 'is not an input of the model' },
      { row: 3, feature: 'plan', problem: 'must be a string' },
      { row: 3, feature: 'usage', problem: 'must be a finite number or null' },
    ]);
    expect(await audited()).toBe(before);
  });

  test('a key for one model cannot call another, nor can a CRM key', async () => {
    expect((await predict('risk', 'plan-movers', [{ plan: 'basic', usage: 1 }])).statusCode).toBe(403);
    expect((await predict('crm', 'credit-risk', [{ float_input: [0, 0, 0] }])).statusCode).toBe(403);
    const oip = await call(stack.inference, 'crm', '/v2/models/credit-risk/infer', { inputs: [{ name: 'float_input', shape: [1, 3], datatype: 'FP32', data: [0, 0, 0] }] });
    expect(oip.statusCode).toBe(403);
  });

  test('OIP V2 infer serves the same version, audited', async () => {
    const res = await call(stack.inference, 'risk', '/v2/models/credit-risk/infer', { inputs: [{ name: 'float_input', shape: [2, 3], datatype: 'FP32', data: [[0.5, 1, -2], [3, -1, 0.5]] }] });
    expect(res.statusCode).toBe(200);
    const probs = res.json().outputs.find((o: { name: string }) => o.name === 'output_probability');
    expect(probs.shape).toEqual([2, 2]);
    expect(probs.data[1]).toBeCloseTo(logisticRegression.predictProba([0.5, 1, -2])[1], 5);
    const ids = res.json().parameters.prediction_ids as string[];
    expect((await db.pool.query('SELECT count(*)::int AS n FROM inference.predictions WHERE id = ANY($1::uuid[])', [ids])).rows[0].n).toBe(2);
  });

  test('monitoring takes labels in each model\'s own terms and reports the quality of its task', async () => {
    const monitoring = ctx.monitoring!.app;
    const plans = [{ plan: 'basic', usage: 5 }, { plan: 'basic', usage: 50 }, { plan: 'pro', usage: 50 }, { plan: 'plus', usage: 1 }];
    const movers = (await predict('all', 'plan-movers', plans)).json().predictions as { predictionId: string; label: string }[];
    const prices = (await predict('all', 'house-price', [[4, 8], [1, 2], [0, 0]])).json().predictions as { predictionId: string; value: number }[];
    const all = [...movers, ...prices].map((p) => p.predictionId);
    await waitFor(async () => (await db.pool.query('SELECT count(*)::int AS n FROM monitoring.predictions WHERE prediction_id = ANY($1::uuid[])', [all])).rows[0].n, (n) => n === all.length, 60_000);

    // Truths: the tree's answers are stay, stay, upgrade, churn; two of four are right.
    const truths = ['churn', 'stay', 'upgrade', 'upgrade'];
    const actualPrices = [15, 10, 12];
    const items = [
      ...movers.map((p, i) => ({ predictionId: p.predictionId, label: truths[i] })),
      ...prices.map((p, i) => ({ predictionId: p.predictionId, label: actualPrices[i] })),
      { predictionId: movers[0].predictionId, label: 'downgrade' },
    ];
    const posted = await call(monitoring, 'labeller', '/v1/feedback', { items });
    expect(posted.statusCode).toBe(200);
    expect(posted.json().rejected).toEqual([expect.objectContaining({ index: 7, reason: expect.stringContaining('one of ["churn","stay","upgrade"]') })]);

    const perf = async (name: string) =>
      (await monitoring.inject({ method: 'GET', url: `/v1/monitoring/models/${name}/performance?window=1d`, headers: { authorization: `Bearer ${key.labeller}` } })).json().versions[0];
    const tree = await waitFor(() => perf('plan-movers'), (v) => v?.taskMetrics?.labelled === 4, 30_000);
    const answered = movers.map((p) => p.label);
    expect(tree.task).toBe('multiclass-classification');
    expect(tree.taskMetrics.accuracy).toBeCloseTo(answered.filter((a, i) => a === truths[i]).length / 4, 10);
    expect(tree.taskMetrics.confusion.upgrade[answered[3]]).toBe(1);
    expect(tree.taskMetrics.perClass.stay).toMatchObject({ support: 1 });
    const reg = await perf('house-price');
    const errors = prices.map((p, i) => p.value - actualPrices[i]);
    expect(reg.task).toBe('regression');
    expect(reg.taskMetrics.mae).toBeCloseTo(errors.reduce((a, e) => a + Math.abs(e), 0) / 3, 4);
    expect(reg.taskMetrics.meanError).toBeCloseTo(errors.reduce((a, e) => a + e, 0) / 3, 4);
    expect(reg.taskMetrics.rmse).toBeCloseTo(Math.sqrt(errors.reduce((a, e) => a + e * e, 0) / 3), 4);

    // Drift against the registered reference: each input column and the value.
    const drift = (await monitoring.inject({ method: 'GET', url: '/v1/monitoring/models/house-price/drift?window=1d', headers: { authorization: `Bearer ${key.labeller}` } })).json();
    expect(drift).toMatchObject({ features: [expect.objectContaining({ feature: 'float_input_0' }), expect.objectContaining({ feature: 'float_input_1' })] });
    expect(drift.features.every((f: { psi: number }) => Number.isFinite(f.psi))).toBe(true);
    expect(Number.isFinite(drift.score)).toBe(true);
  });

  test('a version that is not live is served, audited, when asked for by number', async () => {
    const f = modelForm(logisticRegression.onnx, { task: 'binary-classification', classes: [0, 1], threshold: 0.9 });
    const v2 = await stack.training.inject({ method: 'POST', url: '/v1/models/credit-risk/versions', headers: { authorization: `Bearer ${key.ml}`, 'content-type': f.contentType }, payload: f.body });
    expect(v2.json().version).toBe(2);
    const x = [3.0, -1.0, 0.5]; // p ≈ 0.96: above both thresholds
    const byRest = await call(stack.inference, 'risk', '/v1/models/credit-risk/predict?version=2', { instances: [{ float_input: x }] });
    expect(byRest.statusCode).toBe(200);
    expect(byRest.json().model.version).toBe(2);
    const byOip = await call(stack.inference, 'risk', '/v2/models/credit-risk/versions/2/infer', { inputs: [{ name: 'float_input', shape: [1, 3], datatype: 'FP32', data: x }] });
    expect(byOip.statusCode).toBe(200);
    expect(byOip.json().model_version).toBe('2');
    const audited = await db.pool.query('SELECT model_version FROM inference.predictions WHERE id = $1', [byRest.json().predictions[0].predictionId]);
    expect(audited.rows).toEqual([{ model_version: 2 }]);
    expect(stack.live.get('credit-risk')?.ref.version).toBe(1); // still the live one
    expect((await call(stack.inference, 'risk', '/v1/models/credit-risk/predict?version=9', { instances: [{ float_input: x }] })).statusCode).toBe(404);
  });

  test('a decommissioned model is no longer served', async () => {
    const res = await call(stack.training, 'ml', '/v1/models/house-price/decommission', { reason: 'replaced by the pricing service' });
    expect(res.statusCode).toBe(200);
    await waitFor(() => stack.live.get('house-price'), (m) => m === undefined, 30_000);
    const gone = await predict('all', 'house-price', [[1, 2]]);
    expect(gone.statusCode).toBe(404);
    expect(gone.headers['content-type']).toMatch(/^application\/problem\+json/);
    const retired = await call(stack.inference, 'all', '/v1/models/house-price/predict?version=1', { instances: [[1, 2]] });
    expect(retired.statusCode).toBe(409);
    expect(retired.json().detail).toMatch(/decommissioned/);
  });

  test('npm run vigil -- models register uploads a file and prints the version, or the problem with exit 1', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-cli-'));
    writeFileSync(path.join(dir, 'model.onnx'), linearRegression.onnx);
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ task: 'regression', lineage: { author: 'cli' } }));
    writeFileSync(path.join(dir, 'bad.json'), JSON.stringify({ task: 'binary-classification', classes: [0, 1] }));
    const url = await stack.training.listen({ host: '127.0.0.1', port: 0 });
    const cli = (...args: string[]) =>
      run(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'scripts/vigil.ts'), 'models', 'register', ...args], {
        cwd: REPO_ROOT, env: { ...process.env, VIGIL_TRAINING_URL: url, VIGIL_API_KEY: key.ml },
      }).then((r) => ({ code: 0, ...r }), (err) => ({ code: err.code as number, stdout: err.stdout as string, stderr: err.stderr as string }));
    const first = await cli('cli-model', path.join(dir, 'model.onnx'), '--config', path.join(dir, 'config.json'));
    expect(first).toMatchObject({ stderr: '', code: 0, stdout: expect.stringMatching(/^cli-model version 1 \(registered; sha256 [0-9a-f]{64}; task regression\)/) });
    const again = await cli('cli-model', path.join(dir, 'model.onnx'), '--config', path.join(dir, 'config.json'));
    expect(again.stdout).toMatch(/^cli-model version 1 \(already registered/);
    const bad = await cli('cli-model', path.join(dir, 'model.onnx'), '--config', path.join(dir, 'bad.json'));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/refused \(422 VIGIL_UNPROCESSABLE\): /);
  });
});

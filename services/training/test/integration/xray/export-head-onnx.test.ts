import * as ort from 'onnxruntime-node';
import { exportHeadOnnx } from '../../../src/adapters/onnx/export-head-onnx';
import { scoreHead, type LinearHead } from '../../../src/domain/xray/linear-head';
import { scoreMlpHead, type MlpHead } from '../../../src/domain/xray/mlp-head';

const d = 5;
const rows = 7;
const x = { data: Float32Array.from({ length: rows * d }, (_, i) => Math.sin(i * 1.7) * 3), n: rows, d };
const all = Array.from({ length: rows }, (_, i) => i);
const standardisation = { mean: [0.1, -0.2, 0.3, 0, 0.5], scale: [1, 2, 0.5, 1.5, 3] };

async function runOnnx(onnx: Uint8Array): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(onnx);
  try {
    const out = await session.run({ embedding: new ort.Tensor('float32', x.data, [rows, d]) });
    expect(out.probability.dims).toEqual([rows, 1]);
    return out.probability.data as Float32Array;
  } finally {
    await session.release();
  }
}

describe('exportHeadOnnx', () => {
  const meta = { model: 'xray-type', backboneSha256: 'ab'.repeat(32) };

  test('a head with a hidden ReLU layer computes in onnxruntime what scoreMlpHead computes', async () => {
    const h = 3;
    const head: MlpHead = {
      kind: 'mlp-head', ...standardisation,
      hiddenWeights: Array.from({ length: d * h }, (_, i) => Math.cos(i) / 2),
      hiddenBias: [0.1, -0.3, 0.05],
      outputWeights: [1.2, -0.7, 0.9],
      outputBias: -0.1,
    };
    const expected = scoreMlpHead(head, x, all);
    const got = await runOnnx(exportHeadOnnx(head, meta));
    got.forEach((p, i) => expect(p).toBeCloseTo(expected[i], 5));
    // Some hidden pre-activations are negative and some positive, or the test would not tell Relu from identity.
    const pre = all.flatMap((r) =>
      head.hiddenBias.map((b, k) => b + standardisation.mean.reduce((s, m, j) => s + ((x.data[r * d + j] - m) / standardisation.scale[j]) * head.hiddenWeights[j * h + k], 0)),
    );
    expect(pre.some((v) => v < 0) && pre.some((v) => v > 0)).toBe(true);
  });

  test('the early-stopped linear head (hidden = 0) and the full-batch linear head export as Gemm → Sigmoid', async () => {
    const weights = [0.5, -1, 0.25, 0.8, -0.3];
    const mlp: MlpHead = { kind: 'mlp-head', ...standardisation, hiddenWeights: [], hiddenBias: [], outputWeights: weights, outputBias: 0.2 };
    const linear: LinearHead = { kind: 'linear-head', ...standardisation, weights, bias: 0.2 };
    const fromMlp = await runOnnx(exportHeadOnnx(mlp, meta));
    const fromLinear = await runOnnx(exportHeadOnnx(linear, meta));
    const expected = scoreHead(linear, x, all);
    expect(Array.from(scoreMlpHead(mlp, x, all))).toEqual(Array.from(expected));
    fromMlp.forEach((p, i) => expect(p).toBeCloseTo(expected[i], 5));
    expect(fromLinear).toEqual(fromMlp);
  });
});

/**
 * Converts nsfwjs's MobileNetV2 to ONNX and checks it against TF.js running the original layers
 * model, on real chest X-rays: the ONNX embedding must be the same numbers, not just the same shape.
 */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { MobileNetV2Model } from 'nsfwjs/models/mobilenet_v2';
import sharp from 'sharp';
import { preprocessGray, XRAY_PREPROCESS } from '@vigil/common';
import { createEmbeddingExtractor, type EmbeddingExtractor } from '../../../src/adapters/onnx/embedding-extractor';
import { BACKBONE_FEATURES, buildBackboneOnnx, type BackboneOnnx } from '../../../src/adapters/onnx/mobilenet-backbone';
import { XRAY_DIR } from '../../../../../tests/support/shared-data';

const NORMAL = path.join(XRAY_DIR, 'NORMAL/IM-0115-0001.jpeg');
const PNEUMONIA = path.join(XRAY_DIR, 'PNEUMONIA/person1000_bacteria_2931.jpeg');

interface GrayImage {
  gray: Uint8Array;
  width: number;
  height: number;
}

async function readGray(file: string): Promise<GrayImage> {
  const { data, info } = await sharp(file).greyscale().raw().toBuffer({ resolveWithObject: true });
  return { gray: new Uint8Array(data), width: info.width, height: info.height };
}

/**
 * TF.js reference: the layers model nsfwjs ships, loaded through nsfwjs's own bundle loaders (TF.js
 * dequantizes the weights itself), with the feature layers of BACKBONE_FEATURES as its outputs.
 * nsfwjs.load() is skipped only because it runs a warm-up forward pass: in pure-JS TF.js each pass
 * takes 5–30 s here.
 */
async function loadTfjsFeatures(): Promise<tf.LayersModel> {
  const modelJson = (await MobileNetV2Model.modelJson()).default;
  const shard = (await MobileNetV2Model.weightBundles[0]()).default;
  const weights = Buffer.from(shard, 'base64');
  const full = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: modelJson.modelTopology,
      weightSpecs: modelJson.weightsManifest.flatMap((g) => g.weights),
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
    }),
  );
  return tf.model({ inputs: full.inputs, outputs: BACKBONE_FEATURES.map((f) => full.getLayer(f.layer).output as tf.SymbolicTensor) });
}

/**
 * Raw 0–255 gray replicated to RGB, divided by 255 in TF.js exactly as nsfwjs's `infer` does
 * (`img.toFloat().div(255)`), so this also checks that XRAY_PREPROCESS scales the way nsfwjs does.
 * Each feature map (NHWC) is averaged over each cell of its grid×grid tiling and laid out channel-major like the ONNX graph (NCHW), then concatenated and square-rooted.
 */
async function tfjsEmbeddings(model: tf.LayersModel, images: GrayImage[]): Promise<Float32Array[]> {
  const rgb = new Float32Array(images.length * 224 * 224 * 3);
  images.forEach((img, n) => img.gray.forEach((v, i) => rgb.fill(v, (n * img.gray.length + i) * 3, (n * img.gray.length + i) * 3 + 3)));
  const out = tf.tidy(() => {
    const maps = [model.predict(tf.tensor4d(rgb, [images.length, 224, 224, 3]).div(255)) as tf.Tensor4D | tf.Tensor4D[]].flat();
    const pooled = maps.map((map, k) => {
      const cell = map.shape[1] / BACKBONE_FEATURES[k].grid;
      return tf.avgPool(map, cell, cell, 'valid').transpose([0, 3, 1, 2]).reshape([images.length, -1]);
    });
    return tf.concat(pooled, 1).sqrt();
  });
  try {
    const data = (await out.data()) as Float32Array;
    const d = out.shape[1]!;
    return images.map((_, n) => data.slice(n * d, (n + 1) * d));
  } finally {
    out.dispose();
  }
}

/** The embedding's width: the 2×2 quadrant means of three expansion maps of 576, 576 and 384 channels. */
const D = 4 * (576 + 576 + 384);
const maxAbsDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe('MobileNetV2 backbone converted from nsfwjs to ONNX', () => {
  let backbone: BackboneOnnx;
  let extractor: EmbeddingExtractor;
  let normal: GrayImage;
  let pneumonia: GrayImage;
  let reference: { NORMAL: Float32Array; PNEUMONIA: Float32Array };

  // One batched TF.js pass for both images: ~15 s alone, over 60 s on a busy 2-core machine.
  beforeAll(async () => {
    await tf.setBackend('cpu');
    backbone = buildBackboneOnnx();
    extractor = await createEmbeddingExtractor(backbone.onnx, { intraOpNumThreads: 2 });
    [normal, pneumonia] = await Promise.all([readGray(NORMAL), readGray(PNEUMONIA)]);
    expect([normal.width, normal.height, pneumonia.width, pneumonia.height]).toEqual([224, 224, 224, 224]);
    const [n, p] = await tfjsEmbeddings(await loadTfjsFeatures(), [normal, pneumonia]);
    reference = { NORMAL: n, PNEUMONIA: p };
  }, 300_000);

  afterAll(async () => {
    await extractor?.close();
  });

  it('loads in onnxruntime with image [N,224,224,3] in and a 6,144-wide embedding out (3 layers × 2×2 quadrants)', () => {
    expect(backbone).toMatchObject({ inputName: 'image', outputName: 'embedding', embeddingSize: D });
    expect(extractor.inputName).toBe('image');
    expect(extractor.imageShape).toEqual([224, 224, 3]);
    expect(backbone.onnx.length).toBeGreaterThan(2_000_000); // ~0.6M float32 weights up to block 13, dequantized from uint8
  });

  it.each(['NORMAL', 'PNEUMONIA'] as const)('matches TF.js on a %s X-ray within 1e-4', async (label) => {
    const { gray, width, height } = label === 'NORMAL' ? normal : pneumonia;
    const onnx = await extractor.embed(await preprocessGray(gray, width, height, XRAY_PREPROCESS), 1);
    expect(onnx.length).toBe(D);
    expect(reference[label].length).toBe(D);
    // Measured 4e-6 to 9e-6 (embeddings up to ~3.3): BatchNorm folding changes float32 rounding only.
    expect(maxAbsDiff(onnx, reference[label])).toBeLessThan(1e-4);
  });

  it('gives each image in a batch the embedding it gets alone', async () => {
    const a = await preprocessGray(normal.gray, normal.width, normal.height, XRAY_PREPROCESS);
    const b = await preprocessGray(pneumonia.gray, pneumonia.width, pneumonia.height, XRAY_PREPROCESS);
    const batch = new Float32Array(a.length * 2);
    batch.set(a, 0);
    batch.set(b, a.length);
    const both = await extractor.embed(batch, 2);
    expect(both.length).toBe(2 * D);
    expect(maxAbsDiff(both.subarray(0, D), await extractor.embed(a, 1))).toBeLessThan(1e-5);
    expect(maxAbsDiff(both.subarray(D), await extractor.embed(b, 1))).toBeLessThan(1e-5);
  });

  it('tells a NORMAL from a PNEUMONIA X-ray apart (the embedding is not constant)', async () => {
    const [a, b] = await Promise.all(
      [normal, pneumonia].map(async (img) => extractor.embed(await preprocessGray(img.gray, img.width, img.height, XRAY_PREPROCESS), 1)),
    );
    expect(new Set(a).size).toBeGreaterThan(100);
    expect(maxAbsDiff(a, b)).toBeGreaterThan(0.1);
  });

  it('builds the same bytes every time', () => {
    const again = buildBackboneOnnx();
    expect(again.sha256).toBe(backbone.sha256);
    expect(Buffer.compare(Buffer.from(again.onnx), Buffer.from(backbone.onnx))).toBe(0);
  });

  it('rejects a batch whose length does not match n images', async () => {
    await expect(extractor.embed(new Float32Array(10), 1)).rejects.toMatchObject({ code: 'VIGIL_VALIDATION' });
  });
});

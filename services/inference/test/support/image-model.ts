import { buildBackboneOnnx } from '../../../training/src/adapters/onnx/mobilenet-backbone';
import { exportHeadOnnx } from '../../../training/src/adapters/onnx/export-head-onnx';
import type { ModelConfig, ModelRef } from '../../src/domain/ports';

export const IMAGE_FLOATS = 224 * 224 * 3;

/**
 * An X-ray model version as training writes it: the real MobileNetV2 backbone (built from the
 * nsfwjs weights on disk, ~0.5 s) and a linear head with fixed weights. Built with training's own
 * exporters so inference is tested on the graphs it serves, not on look-alikes.
 */
export function imageModel(name = 'xray-pneumonia', version = 1) {
  const backbone = buildBackboneOnnx();
  const d = backbone.embeddingSize;
  const head = exportHeadOnnx(
    {
      kind: 'linear-head',
      mean: Array.from({ length: d }, (_, i) => (i % 5) / 10),
      scale: Array.from({ length: d }, (_, i) => 1 + (i % 3)),
      weights: Array.from({ length: d }, (_, i) => Math.sin(i) / 10),
      bias: -0.2,
    },
    { model: name, backboneSha256: backbone.sha256 },
  );
  const config: ModelConfig = {
    name, pipeline: 'xray', threshold: 0.5, spec: null,
    inputs: [{ name: 'embedding', datatype: 'FP32', shape: [-1, d] }],
    outputs: [{ name: 'probability', datatype: 'FP32', shape: [-1, 1] }],
    backbone: { file: 'backbone.onnx', sha256: backbone.sha256, input: backbone.inputName, output: backbone.outputName, embeddingSize: d },
  };
  const ref: ModelRef = { name, version, sha256: `head-sha-${version}` };
  return { ref, head, config, files: { 'backbone.onnx': backbone.onnx }, embeddingSize: d };
}

/** n preprocessed images (NHWC float32 in [0, 1]) from a fixed pseudo-random sequence: image i is the same on every call. */
export function images(n: number, first = 0): Float32Array {
  const out = new Float32Array(n * IMAGE_FLOATS);
  for (let k = 0; k < n; k++) {
    let seed = 12345 + (first + k) * 7919;
    for (let i = 0; i < IMAGE_FLOATS; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      out[k * IMAGE_FLOATS + i] = seed / 0x7fffffff;
    }
  }
  return out;
}

import { encodeOnnxModel } from './onnx-proto';
import type { LinearHead } from '../../domain/xray/linear-head';

// IR 8 / opset 17: understood by every onnxruntime from 1.14 on, including the 1.30 we ship.
const IR_VERSION = 8;
const OPSET = 17;

/**
 * The head of an image model as ONNX: embedding [N, d] → standardise → linear → sigmoid →
 * probability [N, 1]. The backbone is a separate graph (backbone.onnx), run once per image and
 * shared by both X-ray heads.
 */
export function exportHeadOnnx(head: LinearHead, meta: { model: string; backboneSha256: string }): Uint8Array {
  const d = head.weights.length;
  return encodeOnnxModel({
    irVersion: IR_VERSION,
    opsetImports: [{ domain: '', version: OPSET }],
    producerName: 'vigil-training',
    producerVersion: '0.1.0',
    metadata: { 'vigil.model': meta.model, 'vigil.backbone.sha256': meta.backboneSha256 },
    graph: {
      name: `${meta.model}-head`,
      inputs: [{ name: 'embedding', elemType: 'FLOAT', shape: ['N', d] }],
      outputs: [{ name: 'probability', elemType: 'FLOAT', shape: ['N', 1] }],
      initializers: [
        { name: 'mean', dataType: 'FLOAT', dims: [d], values: head.mean },
        { name: 'scale', dataType: 'FLOAT', dims: [d], values: head.scale },
        { name: 'weights', dataType: 'FLOAT', dims: [d, 1], values: head.weights },
        { name: 'bias', dataType: 'FLOAT', dims: [1], values: [head.bias] },
      ],
      nodes: [
        { opType: 'Sub', name: 'center', inputs: ['embedding', 'mean'], outputs: ['centered'] },
        { opType: 'Div', name: 'standardise', inputs: ['centered', 'scale'], outputs: ['standard'] },
        { opType: 'Gemm', name: 'linear', inputs: ['standard', 'weights', 'bias'], outputs: ['logit'] },
        { opType: 'Sigmoid', name: 'probability', inputs: ['logit'], outputs: ['probability'] },
      ],
    },
  });
}

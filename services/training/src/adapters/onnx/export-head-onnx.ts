import { encodeOnnxModel, type OnnxNode, type OnnxTensor } from './onnx-proto';
import type { LinearHead } from '../../domain/xray/linear-head';
import type { MlpHead } from '../../domain/xray/mlp-head';

// IR 8 / opset 17: understood by every onnxruntime from 1.14 on, including the 1.30 we ship.
const IR_VERSION = 8;
const OPSET = 17;

/** The layers after standardisation: Gemm → Sigmoid for a linear head, Gemm → Relu → Gemm → Sigmoid for one hidden layer. */
function layers(head: LinearHead | MlpHead, d: number): { initializers: OnnxTensor[]; nodes: OnnxNode[] } {
  if (head.kind === 'linear-head') {
    return {
      initializers: [
        { name: 'weights', dataType: 'FLOAT', dims: [d, 1], values: head.weights },
        { name: 'bias', dataType: 'FLOAT', dims: [1], values: [head.bias] },
      ],
      nodes: [{ opType: 'Gemm', name: 'linear', inputs: ['standard', 'weights', 'bias'], outputs: ['logit'] }],
    };
  }
  const h = head.hiddenBias.length;
  if (h === 0) {
    return {
      initializers: [
        { name: 'output/W', dataType: 'FLOAT', dims: [d, 1], values: head.outputWeights },
        { name: 'output/B', dataType: 'FLOAT', dims: [1], values: [head.outputBias] },
      ],
      nodes: [{ opType: 'Gemm', name: 'linear', inputs: ['standard', 'output/W', 'output/B'], outputs: ['logit'] }],
    };
  }
  return {
    initializers: [
      // hiddenWeights is d × h row-major: Gemm's B as is (transB = 0).
      { name: 'hidden/W', dataType: 'FLOAT', dims: [d, h], values: head.hiddenWeights },
      { name: 'hidden/B', dataType: 'FLOAT', dims: [h], values: head.hiddenBias },
      { name: 'output/W', dataType: 'FLOAT', dims: [h, 1], values: head.outputWeights },
      { name: 'output/B', dataType: 'FLOAT', dims: [1], values: [head.outputBias] },
    ],
    nodes: [
      { opType: 'Gemm', name: 'hidden', inputs: ['standard', 'hidden/W', 'hidden/B'], outputs: ['hidden'] },
      { opType: 'Relu', name: 'hidden/relu', inputs: ['hidden'], outputs: ['activation'] },
      { opType: 'Gemm', name: 'output', inputs: ['activation', 'output/W', 'output/B'], outputs: ['logit'] },
    ],
  };
}

/**
 * The head of an image model as ONNX: embedding [N, d] → standardise → linear, or one hidden ReLU
 * layer then linear → sigmoid → probability [N, 1]. The backbone is a separate graph
 * (backbone.onnx), run once per image and shared by both X-ray heads.
 */
export function exportHeadOnnx(head: LinearHead | MlpHead, meta: { model: string; backboneSha256: string }): Uint8Array {
  const d = head.mean.length;
  const rest = layers(head, d);
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
        ...rest.initializers,
      ],
      nodes: [
        { opType: 'Sub', name: 'center', inputs: ['embedding', 'mean'], outputs: ['centered'] },
        { opType: 'Div', name: 'standardise', inputs: ['centered', 'scale'], outputs: ['standard'] },
        ...rest.nodes,
        { opType: 'Sigmoid', name: 'probability', inputs: ['logit'], outputs: ['probability'] },
      ],
    },
  });
}

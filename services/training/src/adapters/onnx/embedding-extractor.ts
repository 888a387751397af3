/**
 * Runs a backbone ONNX model (see mobilenet-backbone.ts) on CPU onnxruntime-node to turn
 * preprocessed images into embeddings for the trainable heads.
 *
 * Names and shapes come from the model itself, so a rebuilt backbone with another image size or
 * embedding width needs no change here.
 */
import * as ort from 'onnxruntime-node';
import { VigilError } from '@vigil/common';

export interface EmbeddingExtractorOptions {
  /** Threads per Conv; onnxruntime's default is one per core. */
  intraOpNumThreads?: number;
}

export interface EmbeddingExtractor {
  inputName: string;
  outputName: string;
  /** Per-image input shape without the batch dimension, e.g. [224, 224, 3]. */
  imageShape: number[];
  /**
   * `batch` holds n preprocessed images back to back (NHWC float32); returns n embeddings back to
   * back, [n, embeddingSize] row-major.
   */
  embed(batch: Float32Array, n: number): Promise<Float32Array>;
  close(): Promise<void>;
}

function fixedShape(meta: ort.InferenceSession.ValueMetadata, what: string): number[] {
  if (!meta.isTensor || meta.type !== 'float32') throw new VigilError('VIGIL_UNPROCESSABLE', `backbone ${what} ${meta.name} is not a float32 tensor`);
  const rest = meta.shape.slice(1);
  if (!rest.every((d): d is number => typeof d === 'number' && d > 0)) {
    throw new VigilError('VIGIL_UNPROCESSABLE', `backbone ${what} ${meta.name} needs fixed dimensions after the batch, got ${JSON.stringify(meta.shape)}`);
  }
  return rest;
}

export async function createEmbeddingExtractor(onnxBytes: Uint8Array, options: EmbeddingExtractorOptions = {}): Promise<EmbeddingExtractor> {
  const session = await ort.InferenceSession.create(onnxBytes, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    ...(options.intraOpNumThreads ? { intraOpNumThreads: options.intraOpNumThreads } : {}),
  });
  const [input] = session.inputMetadata;
  const [output] = session.outputMetadata;
  const imageShape = fixedShape(input, 'input');
  fixedShape(output, 'output');
  const perImage = imageShape.reduce((a, b) => a * b, 1);
  let closed = false;

  return {
    inputName: input.name,
    outputName: output.name,
    imageShape,
    async embed(batch, n) {
      if (closed) throw new VigilError('VIGIL_MODEL_NOT_READY', 'embedding extractor is closed');
      if (!Number.isInteger(n) || n <= 0 || batch.length !== n * perImage) {
        throw new VigilError('VIGIL_VALIDATION', `a batch of ${n} images of ${JSON.stringify(imageShape)} needs ${n * perImage} floats, got ${batch.length}`);
      }
      try {
        const results = await session.run({ [input.name]: new ort.Tensor('float32', batch, [n, ...imageShape]) }, [output.name]);
        return results[output.name].data as Float32Array;
      } catch (err) {
        throw new VigilError('VIGIL_INTERNAL', `backbone inference failed: ${(err as Error).message}`, { cause: err });
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await session.release();
    },
  };
}

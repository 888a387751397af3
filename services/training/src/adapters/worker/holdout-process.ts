/**
 * Child process that scores holdout images with stored image-model versions (see
 * child-holdout-scorer.ts), off the HTTP event loop. Embeddings go through embedImages and the
 * embedding cache that training filled: the holdout images were embedded when the candidate was
 * trained, so the gate usually runs no backbone at all. Each backbone (by sha256 and preprocessing)
 * is looked at once, whatever number of heads use it.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { createFileBlobStore, type PreprocessSpec } from '@vigil/common';
import type { ModelConfig } from '../../domain/ports';
import type { Embeddings } from '../../domain/xray/linear-head';
import { createEmbeddingCache } from '../storage/embedding-cache';
import type { HoldoutOrder, HoldoutReply } from './child-holdout-scorer';
import { embedImages } from './pipelines/xray-pipeline';

async function scoreAll(order: HoldoutOrder): Promise<number[][]> {
  const blobs = createFileBlobStore(order.blobDir);
  const images = order.images.map((sha256) => ({ sha256 }));
  const read = async (i: number) => {
    const bytes = await blobs.get(order.images[i]);
    if (!bytes) throw new Error(`holdout image ${order.images[i]} is missing from the blob store`);
    return bytes;
  };
  const embeddings = new Map<string, Promise<Embeddings>>();
  const embeddingsFor = (dir: string, config: ModelConfig) => {
    const spec = config.backbone!;
    const preprocess = config.preprocess as PreprocessSpec;
    const key = `${spec.sha256}:${JSON.stringify(preprocess)}`;
    if (!embeddings.has(key)) {
      embeddings.set(key, (async () => {
        const backbone = {
          onnx: await readFile(path.join(dir, path.basename(spec.file))), sha256: spec.sha256,
          inputName: spec.input, outputName: spec.output, embeddingSize: spec.embeddingSize,
        };
        const cache = createEmbeddingCache(order.blobDir, { backboneSha256: spec.sha256, preprocess, embeddingSize: spec.embeddingSize });
        return (await embedImages(images, read, backbone, cache, undefined, preprocess)).x;
      })());
    }
    return embeddings.get(key)!;
  };
  const scores: number[][] = [];
  // One version at a time: two embedding runs at once would only fight over the same two cores.
  for (const v of order.versions) {
    const dir = path.resolve(order.repositoryRoot, v.name, String(v.version));
    const config = JSON.parse(await readFile(path.join(dir, 'config.json'), 'utf8')) as ModelConfig;
    if (!config.backbone) throw new Error(`${v.name} v${v.version} is not an image model`);
    const x = await embeddingsFor(dir, config);
    const head = await ort.InferenceSession.create(await readFile(path.join(dir, 'model.onnx')));
    const out = await head.run({ embedding: new ort.Tensor('float32', x.data, [x.n, x.d]) });
    scores.push(Array.from(out.probability.data as Float32Array));
    await head.release();
  }
  return scores;
}

const send = (msg: HoldoutReply) => process.send!(msg);

process.once('message', (order: HoldoutOrder) => {
  scoreAll(order).then(
    (scores) => send({ type: 'done', scores }),
    (err: unknown) => send({ type: 'error', message: err instanceof Error ? err.message : String(err) }),
  );
});

/**
 * Child process that scores holdout images with stored image-model versions (see
 * child-holdout-scorer.ts): the same decode, preprocessing and backbone as serving, run off the
 * HTTP event loop. Each backbone (by sha256) embeds every image once, whatever number of heads use it.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { createFileBlobStore, decodeImage, DEFAULT_IMAGE_LIMITS, preprocessGray, type PreprocessSpec } from '@vigil/common';
import type { ModelConfig } from '../../domain/ports';
import { createEmbeddingExtractor } from '../onnx/embedding-extractor';
import type { HoldoutOrder, HoldoutReply } from './child-holdout-scorer';

async function scoreAll(order: HoldoutOrder): Promise<number[][]> {
  const blobs = createFileBlobStore(order.blobDir);
  const versions = await Promise.all(
    order.versions.map(async (v) => {
      const dir = path.resolve(order.repositoryRoot, v.name, String(v.version));
      const config = JSON.parse(await readFile(path.join(dir, 'config.json'), 'utf8')) as ModelConfig;
      if (!config.backbone) throw new Error(`${v.name} v${v.version} is not an image model`);
      return { dir, config, head: await ort.InferenceSession.create(await readFile(path.join(dir, 'model.onnx'))) };
    }),
  );
  const embeddings = new Map<string, Float32Array[]>();
  for (const v of versions) {
    const key = `${v.config.backbone!.sha256}:${JSON.stringify(v.config.preprocess)}`;
    if (embeddings.has(key)) continue;
    const extractor = await createEmbeddingExtractor(await readFile(path.join(v.dir, path.basename(v.config.backbone!.file))), { intraOpNumThreads: 1 });
    const rows: Float32Array[] = [];
    for (const sha of order.images) {
      const bytes = await blobs.get(sha);
      if (!bytes) throw new Error(`holdout image ${sha} is missing from the blob store`);
      const image = await decodeImage(bytes, DEFAULT_IMAGE_LIMITS);
      rows.push(await extractor.embed(await preprocessGray(image.gray, image.width, image.height, v.config.preprocess as PreprocessSpec), 1));
    }
    await extractor.close();
    embeddings.set(key, rows);
  }
  return Promise.all(
    versions.map(async (v) => {
      const rows = embeddings.get(`${v.config.backbone!.sha256}:${JSON.stringify(v.config.preprocess)}`)!;
      const scores: number[] = [];
      for (const e of rows) {
        const out = await v.head.run({ embedding: new ort.Tensor('float32', e, [1, e.length]) });
        scores.push(Number((out.probability.data as Float32Array)[0]));
      }
      return scores;
    }),
  );
}

const send = (msg: HoldoutReply) => process.send!(msg);

process.once('message', (order: HoldoutOrder) => {
  scoreAll(order).then(
    (scores) => send({ type: 'done', scores }),
    (err: unknown) => send({ type: 'error', message: err instanceof Error ? err.message : String(err) }),
  );
});

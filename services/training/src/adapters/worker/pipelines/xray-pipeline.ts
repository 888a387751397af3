import { createHash } from 'node:crypto';
import { createFileBlobStore, decodeImage, DEFAULT_IMAGE_LIMITS, preprocessGray, XRAY_PREPROCESS, type PreprocessSpec } from '@vigil/common';
import type { TrainedModel, XrayImageRef } from '../../../domain/ports';
import type { Embeddings } from '../../../domain/xray/linear-head';
import { trainXrayModels, type HeadResult, type XrayTrainingOptions } from '../../../domain/xray/train-xray-models';
import { createEmbeddingExtractor } from '../../onnx/embedding-extractor';
import { exportHeadOnnx } from '../../onnx/export-head-onnx';
import { buildBackboneOnnx, type BackboneOnnx } from '../../onnx/mobilenet-backbone';
import { createEmbeddingCache, type EmbeddingCache } from '../../storage/embedding-cache';
import { xrayReferences } from './xray-reference';

/*
 * Batch 1, one onnxruntime thread, two images in flight (their decode, preprocessing and session
 * runs overlap). Measured on this 2-core machine: 15 ms/image at batch 1 vs 23.5 ms/image at batch
 * 32 (one thread); with other processes busy on it, 25 ms/image with one thread and one image in
 * flight, 23 with two in flight, 50 with onnxruntime's default of one thread per core (its
 * threads spin and fight the other load).
 */
const IN_FLIGHT = 2;
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

export type XrayPipelineOptions = Omit<XrayTrainingOptions, 'seed'>;

export interface EmbedRun {
  x: Embeddings;
  /** Images whose embedding came from the cache, and images run through the backbone. */
  cached: number;
  computed: number;
}

/**
 * Embeds every image with the frozen backbone, using exactly the decode and preprocessing code
 * that inference uses (one path, recorded in the version). Embeddings already in the cache (same
 * backbone, spec and image bytes) are read back instead of recomputed; new ones are added to it.
 * `read(i)` returns the bytes of images[i]: the blob store here, a folder in scripts/xray-report.ts.
 */
export async function embedImages(
  images: readonly { sha256: string }[],
  read: (i: number) => Promise<Uint8Array>,
  backbone: BackboneOnnx,
  cache: EmbeddingCache | null,
  progress: (done: number) => void = () => undefined,
  preprocess: PreprocessSpec = XRAY_PREPROCESS,
): Promise<EmbedRun> {
  const d = backbone.embeddingSize;
  const x: Embeddings = { data: new Float32Array(images.length * d), n: images.length, d };
  const missing: number[] = [];
  for (const [i, im] of images.entries()) {
    const hit = await cache?.get(im.sha256);
    if (hit) x.data.set(hit, i * d);
    else missing.push(i);
  }
  progress(images.length - missing.length);
  if (missing.length === 0) return { x, cached: images.length, computed: 0 };
  const extractor = await createEmbeddingExtractor(backbone.onnx, { intraOpNumThreads: 1 });
  try {
    let next = 0;
    let done = images.length - missing.length;
    let failed = false;
    const worker = async () => {
      while (next < missing.length && !failed) {
        const i = missing[next++];
        const decoded = await decodeImage(await read(i), DEFAULT_IMAGE_LIMITS);
        const e = await extractor.embed(await preprocessGray(decoded.gray, decoded.width, decoded.height, preprocess), 1);
        if (e.length !== d) throw new Error(`backbone returned ${e.length} floats per image, expected ${d}`);
        x.data.set(e, i * d);
        await cache?.put(images[i].sha256, e);
        progress(++done);
      }
    };
    // allSettled, not all: the session must not be released under a run still in flight.
    const settled = await Promise.allSettled(
      Array.from({ length: Math.min(IN_FLIGHT, missing.length) }, () => worker().catch((err: unknown) => {
        failed = true;
        throw err;
      })),
    );
    const failure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;
    return { x, cached: images.length - missing.length, computed: missing.length };
  } finally {
    await extractor.close();
  }
}

function version(
  name: string,
  result: HeadResult,
  backbone: BackboneOnnx,
  seed: number,
  labels: { positive: string; negative: string },
  trainingTimeMs: number,
): TrainedModel {
  const onnx = exportHeadOnnx(result.head, { model: name, backboneSha256: backbone.sha256 });
  const { images, ...report } = result;
  return {
    name,
    onnx,
    sha256: sha256(onnx),
    files: { 'backbone.onnx': backbone.onnx },
    seed,
    metrics: {
      ...report.metrics,
      validation: report.validation,
      baseline: report.baseline,
      classBalance: report.classBalance,
      hyperParameters: report.hyperParameters,
      search: report.search,
      threshold: report.threshold,
      confidenceBand: report.band,
      trainingTimeMs,
      images: { train: images.train.length, validation: images.validation.length, test: images.test.length },
      imageSha256: images,
    },
    config: {
      pipeline: 'xray',
      // Like any version, it says what it is: a binary classifier over its two labels.
      task: 'binary-classification',
      classes: [labels.negative, labels.positive],
      positiveClass: labels.positive,
      threshold: result.threshold,
      confidenceBand: result.band,
      labels,
      inputs: [{ name: 'embedding', datatype: 'FP32', shape: [-1, backbone.embeddingSize] }],
      outputs: [{ name: 'probability', datatype: 'FP32', shape: [-1, 1] }],
      spec: result.head,
      preprocess: XRAY_PREPROCESS,
      backbone: {
        file: 'backbone.onnx', sha256: backbone.sha256, input: backbone.inputName, output: backbone.outputName, embeddingSize: backbone.embeddingSize,
      },
      holdout: { datasetId: '', ids: images.test },
    },
  };
}

/** Pipeline "xray": two models, xray-pneumonia and xray-type, sharing one backbone. */
export async function runXrayPipeline(
  images: XrayImageRef[],
  seed: number,
  blobDir: string,
  options: XrayPipelineOptions,
  progress: (p: number) => void,
): Promise<TrainedModel[]> {
  const started = performance.now();
  progress(0.01);
  const backbone = buildBackboneOnnx();
  const blobs = createFileBlobStore(blobDir);
  const cache = createEmbeddingCache(blobDir, { backboneSha256: backbone.sha256, preprocess: XRAY_PREPROCESS, embeddingSize: backbone.embeddingSize });
  const read = async (i: number) => {
    const bytes = await blobs.get(images[i].sha256);
    if (!bytes) throw new Error(`image ${images[i].path} (${images[i].sha256}) is missing from the blob store`);
    return bytes;
  };
  const { x } = await embedImages(images, read, backbone, cache, (done) => progress(0.05 + 0.75 * (done / Math.max(images.length, 1))));
  const result = trainXrayModels(images, x, { ...options, seed });
  progress(0.95);
  const ms = performance.now() - started;
  // Drift reference of each version (training images' statistics and scores), for monitoring's PSI.
  const [pneumoniaRef, typeRef] = await xrayReferences(images, read, x, [
    { head: result.pneumonia.head, train: result.pneumonia.images.train },
    { head: result.type.head, train: result.type.images.train },
  ]);
  const withReference = (m: TrainedModel, reference: typeof pneumoniaRef): TrainedModel => ({ ...m, config: { ...m.config, reference } });
  return [
    withReference(version('xray-pneumonia', result.pneumonia, backbone, seed, { positive: 'pneumonia', negative: 'normal' }, ms), pneumoniaRef),
    withReference(version('xray-type', result.type, backbone, seed, { positive: 'bacterial', negative: 'viral' }, ms), typeRef),
  ];
}

import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { XRAY_PREPROCESS } from '@vigil/common';
import { buildBackboneOnnx } from '../../../src/adapters/onnx/mobilenet-backbone';
import { createEmbeddingCache, preprocessSpecHash } from '../../../src/adapters/storage/embedding-cache';
import { embedImages } from '../../../src/adapters/worker/pipelines/xray-pipeline';
import { XRAY_DIR } from '../../../../../tests/support/shared-data';

const sha = (n: number) => n.toString(16).padStart(64, '0');
const backboneSha256 = 'ab'.repeat(32);

describe('embedding cache on the filesystem', () => {
  const blobDir = mkdtempSync(path.join(os.tmpdir(), 'vigil-embeddings-'));
  const cache = createEmbeddingCache(blobDir, { backboneSha256, preprocess: XRAY_PREPROCESS, embeddingSize: 4 });

  test('stores raw float32 under <blobDir>/embeddings/<backbone>/<spec hash>/<ab>/<image>.f32 and reads it back', async () => {
    expect(await cache.get(sha(1))).toBeNull();
    await cache.put(sha(1), Float32Array.of(1.5, -2, 0, 3.25));
    expect(await cache.get(sha(1))).toEqual(Float32Array.of(1.5, -2, 0, 3.25));
    const file = path.join(blobDir, 'embeddings', backboneSha256, preprocessSpecHash(XRAY_PREPROCESS), '00', `${sha(1)}.f32`);
    expect(new Float32Array(new Uint8Array(readFileSync(file)).buffer)).toEqual(Float32Array.of(1.5, -2, 0, 3.25));
    expect(readdirSync(path.dirname(file)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  test('a file of the wrong length (a write cut short) is a miss, and the next put replaces it', async () => {
    await cache.put(sha(2), Float32Array.of(1, 2, 3, 4));
    const file = path.join(cache.dir, '00', `${sha(2)}.f32`);
    writeFileSync(file, Buffer.alloc(6));
    expect(await cache.get(sha(2))).toBeNull();
    await cache.put(sha(2), Float32Array.of(4, 3, 2, 1));
    expect(await cache.get(sha(2))).toEqual(Float32Array.of(4, 3, 2, 1));
  });

  test('another backbone or preprocessing spec has entries of its own', async () => {
    await cache.put(sha(3), Float32Array.of(1, 1, 1, 1));
    const otherBackbone = createEmbeddingCache(blobDir, { backboneSha256: 'cd'.repeat(32), preprocess: XRAY_PREPROCESS, embeddingSize: 4 });
    const otherSpec = createEmbeddingCache(blobDir, { backboneSha256, preprocess: { ...XRAY_PREPROCESS, scale: 2 / 255 }, embeddingSize: 4 });
    expect(await otherBackbone.get(sha(3))).toBeNull();
    expect(await otherSpec.get(sha(3))).toBeNull();
    // The spec hash does not depend on the order its fields were written in.
    const reordered = Object.fromEntries(Object.entries(XRAY_PREPROCESS).reverse()) as typeof XRAY_PREPROCESS;
    expect(preprocessSpecHash(reordered)).toBe(preprocessSpecHash(XRAY_PREPROCESS));
  });

  test('refuses names that are not SHA-256 hex and embeddings of the wrong size', async () => {
    await expect(cache.get('../../etc/passwd')).rejects.toMatchObject({ code: 'VIGIL_VALIDATION' });
    await expect(cache.put(sha(4), Float32Array.of(1, 2))).rejects.toMatchObject({ code: 'VIGIL_INTERNAL' });
    expect(() => createEmbeddingCache(blobDir, { backboneSha256: 'x', preprocess: XRAY_PREPROCESS, embeddingSize: 4 })).toThrow(/SHA-256/);
  });
});

describe('embedImages with the cache', () => {
  test('a second run over the same images reads every embedding back instead of running the backbone', async () => {
    const blobDir = mkdtempSync(path.join(os.tmpdir(), 'vigil-embeddings-'));
    const backbone = buildBackboneOnnx();
    const files = ['NORMAL/IM-0115-0001.jpeg', 'PNEUMONIA/person1000_bacteria_2931.jpeg', 'NORMAL/IM-0117-0001.jpeg'];
    const bytes = files.map((f) => readFileSync(path.join(XRAY_DIR, f)));
    const images = files.map((_, i) => ({ sha256: sha(100 + i) }));
    const read = async (i: number) => bytes[i];
    const cache = () => createEmbeddingCache(blobDir, { backboneSha256: backbone.sha256, preprocess: XRAY_PREPROCESS, embeddingSize: backbone.embeddingSize });
    const cold = await embedImages(images, read, backbone, cache());
    expect(cold).toMatchObject({ cached: 0, computed: 3 });
    expect(cold.x).toMatchObject({ n: 3, d: backbone.embeddingSize });
    const warm = await embedImages(images, () => Promise.reject(new Error('the backbone must not run')), backbone, cache());
    expect(warm).toMatchObject({ cached: 3, computed: 0 });
    expect(warm.x.data).toEqual(cold.x.data);
    // Without a cache every image goes through the backbone, with the same result.
    expect((await embedImages(images, read, backbone, null)).x.data).toEqual(cold.x.data);
  }, 60_000);
});

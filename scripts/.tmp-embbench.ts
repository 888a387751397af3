import { readFileSync } from 'node:fs';
import { decodeImage, preprocessGray, XRAY_PREPROCESS } from '@vigil/common';
import { buildBackboneOnnx } from '../services/training/src/adapters/onnx/mobilenet-backbone';
import { createEmbeddingExtractor } from '../services/training/src/adapters/onnx/embedding-extractor';
async function main() {
  const lines = readFileSync('/work/shared/data/xray-train/manifest.csv', 'utf8').trim().split('\n').slice(1, 201);
  const bytes = lines.map((l) => readFileSync('/work/shared/data/xray-train/' + l.split(',')[0]));
  const bb = buildBackboneOnnx();
  for (const threads of [1, 2]) {
    const ex = await createEmbeddingExtractor(bb.onnx, { intraOpNumThreads: threads });
    let td = 0, tp = 0, te = 0;
    for (const [k, b] of bytes.entries()) {
      const a = performance.now();
      const d = await decodeImage(b);
      const c = performance.now();
      const p = await preprocessGray(d.gray, d.width, d.height, XRAY_PREPROCESS);
      const e = performance.now();
      await ex.embed(p, 1);
      const f = performance.now();
      if (k >= 20) { td += c - a; tp += e - c; te += f - e; }
    }
    const n = bytes.length - 20;
    console.log({ threads, decodeMs: td / n, preprocessMs: tp / n, embedMs: te / n });
    await ex.close();
  }
}
main();

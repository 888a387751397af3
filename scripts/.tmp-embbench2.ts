import { readFileSync } from 'node:fs';
import { decodeImage, preprocessGray, XRAY_PREPROCESS } from '@vigil/common';
import { buildBackboneOnnx } from '../services/training/src/adapters/onnx/mobilenet-backbone';
import { createEmbeddingExtractor } from '../services/training/src/adapters/onnx/embedding-extractor';
async function main() {
  const lines = readFileSync('/work/shared/data/xray-train/manifest.csv', 'utf8').trim().split(/\r?\n/).slice(1, 121);
  const bytes = lines.map((l) => readFileSync('/work/shared/data/xray-train/' + l.split(',')[0]));
  const bb = buildBackboneOnnx();
  for (const [threads, conc] of [[1, 1], [1, 2], [2, 1], [1, 3]] as const) {
    const ex = await createEmbeddingExtractor(bb.onnx, threads === 2 ? {} : { intraOpNumThreads: threads });
    let next = 0;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: conc }, async () => {
      while (next < bytes.length) {
        const b = bytes[next++];
        const d = await decodeImage(b);
        await ex.embed(await preprocessGray(d.gray, d.width, d.height, XRAY_PREPROCESS), 1);
      }
    }));
    console.log({ threads, conc, msPerImage: (performance.now() - t0) / bytes.length });
    await ex.close();
  }
}
main();

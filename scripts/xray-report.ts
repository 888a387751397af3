/**
 * `npx tsx scripts/xray-report.ts [--dir ../shared/data/xray-train] [--cache .vigil/blobs] [--seed 42] [--json]`
 *
 * Trains both X-ray models the way the "xray" training pipeline does (same decode, preprocessing,
 * backbone, embedding cache and trainXrayModels with its default options) straight from a folder
 * holding manifest.csv and its images, and prints validation and test metrics next to the
 * majority-class baselines and the targets. No services, database or Kafka needed.
 *
 * The targets are judged on the patient-disjoint validation split (where the threshold and the
 * hyper-parameters are chosen); the test split is patients looked at once, at the end.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parse } from 'csv-parse/sync';
import { XRAY_PREPROCESS } from '@vigil/common';
import type { XrayImageRef } from '../services/training/src/domain/ports';
import { trainXrayModels, type HeadResult } from '../services/training/src/domain/xray/train-xray-models';
import { buildBackboneOnnx } from '../services/training/src/adapters/onnx/mobilenet-backbone';
import { embedImages } from '../services/training/src/adapters/worker/pipelines/xray-pipeline';
import { createEmbeddingCache } from '../services/training/src/adapters/storage/embedding-cache';

// The training service's defaults (services/training/src/config.ts): the same model the service would train.
const DEFAULTS = { seed: 42, targetRecall: 0.98, confidenceLogitMargin: 1 };
const TARGETS = { pneumoniaRecall: 0.98, pneumoniaSpecificity: 0.8, typeAccuracy: 0.78 };

interface Row { path: string; label: string; subtype: string; patient_id: string }

const f3 = (v: number) => v.toFixed(3);
const mark = (ok: boolean) => (ok ? 'meets' : 'MISSES');

function describe(name: string, r: HeadResult): string[] {
  const part = (label: string, m: HeadResult['validation'], b: HeadResult['baseline']) =>
    `  ${label.padEnd(10)} n=${String(m.confusion.tp + m.confusion.fn + m.confusion.tn + m.confusion.fp).padStart(4)}  ` +
    `acc ${f3(m.accuracy)} (baseline ${f3(b.accuracy)}, always ${b.majorityClass})  recall ${f3(m.recall)}  specificity ${f3(m.specificity)}  ` +
    `ROC AUC ${f3(m.rocAuc)}  confusion tp=${m.confusion.tp} fn=${m.confusion.fn} tn=${m.confusion.tn} fp=${m.confusion.fp}`;
  return [
    `${name}: ${JSON.stringify(r.hyperParameters)}  threshold ${f3(r.threshold)}  band [${f3(r.band.low)}, ${f3(r.band.high)}]`,
    part('validation', r.validation, r.validationBaseline),
    part('test', r.metrics, r.baseline),
  ];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dir: { type: 'string', default: path.join('..', 'shared', 'data', 'xray-train') },
      cache: { type: 'string', default: path.join('.vigil', 'blobs') },
      seed: { type: 'string', default: String(DEFAULTS.seed) },
      json: { type: 'boolean', default: false },
    },
  });
  const dir = path.resolve(values.dir!);
  const rows = parse(await readFile(path.join(dir, 'manifest.csv'), 'utf8'), { columns: true }) as Row[];
  const started = performance.now();
  const bytes = await Promise.all(rows.map((r) => readFile(path.join(dir, r.path))));
  const images: XrayImageRef[] = rows.map((r, i) => ({
    path: r.path, label: r.label as XrayImageRef['label'], subtype: r.subtype as XrayImageRef['subtype'], patientId: r.patient_id,
    sha256: createHash('sha256').update(bytes[i]).digest('hex'),
  }));
  const backbone = buildBackboneOnnx();
  const cache = createEmbeddingCache(path.resolve(values.cache!), { backboneSha256: backbone.sha256, preprocess: XRAY_PREPROCESS, embeddingSize: backbone.embeddingSize });
  const t0 = performance.now();
  let last = 0;
  const embedded = await embedImages(images, async (i) => bytes[i], backbone, cache, (done) => {
    if (done - last >= 500 || done === images.length) process.stderr.write(`xray-report: embedded ${(last = done)}/${images.length}\n`);
  });
  const embedMs = performance.now() - t0;
  const result = trainXrayModels(images, embedded.x, { ...DEFAULTS, seed: Number(values.seed) });
  const totalMs = performance.now() - started;
  const p = result.pneumonia;
  const t = result.type;
  const verdict = {
    pneumoniaRecall: { target: TARGETS.pneumoniaRecall, validation: p.validation.recall, test: p.metrics.recall },
    pneumoniaSpecificity: { target: TARGETS.pneumoniaSpecificity, validation: p.validation.specificity, test: p.metrics.specificity },
    typeAccuracy: { target: TARGETS.typeAccuracy, validation: t.validation.accuracy, test: t.metrics.accuracy },
  };
  if (values.json) {
    const strip = ({ images: _i, head: _h, ...r }: HeadResult) => r;
    console.log(JSON.stringify({ embedded: { ...embedded, x: undefined, ms: embedMs }, trainingMs: result.trainingTimeMs, totalMs, pneumonia: strip(p), type: strip(t), verdict }, null, 2));
    return;
  }
  const lines = [
    `X-ray report: ${images.length} images from ${dir}, seed ${values.seed}`,
    `embedding: ${embedded.cached} from cache, ${embedded.computed} through the backbone, ${(embedMs / 1000).toFixed(1)} s (cache ${cache.dir})`,
    `heads: ${(result.trainingTimeMs / 1000).toFixed(1)} s; total ${(totalMs / 1000).toFixed(1)} s`,
    `split (images): train ${p.images.train.length}, validation ${p.images.validation.length}, test ${p.images.test.length} (patient-disjoint)`,
    ...describe('xray-pneumonia (pneumonia vs normal)', p),
    ...describe('xray-type (bacterial vs viral, pneumonia images)', t),
    'targets (judged on validation; test shown for honesty):',
    ...Object.entries(verdict).map(([k, v]) => `  ${k.padEnd(21)} ≥ ${v.target}: validation ${f3(v.validation)} ${mark(v.validation >= v.target)}, test ${f3(v.test)} ${mark(v.test >= v.target)}`),
  ];
  console.log(lines.join('\n'));
}

main().catch((err: Error) => {
  console.error(`xray-report: ${err.stack ?? err.message}`);
  process.exit(1);
});

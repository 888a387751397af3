/**
 * `npx tsx scripts/churn-report.ts [--csv ../shared/data/telco-churn/telco-churn-train.csv] [--seeds 42,1,2,...] [--json]`
 *
 * Trains the churn model the way the "churn" training pipeline does (trainChurnModel, the same
 * defaults) once per seed and prints each run's holdout ROC AUC next to its candidates' validation
 * and holdout AUC, then the mean, spread and range over the seeds. No services, database or Kafka.
 *
 * Why several seeds: the holdout is 1,127 rows, so which customers land in it moves ROC AUC by more
 * than any modelling choice does (seeds 0-9 and 42 span 0.829-0.885, mean 0.854). The service trains with seed 42;
 * its number is one draw, and the mean over seeds is the estimate of what the model does.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parse } from 'csv-parse/sync';
import type { ChurnRow } from '@vigil/common';
import { trainChurnModel } from '../services/training/src/domain/churn/train-churn-model';

const TARGET_ROC_AUC = 0.85;
const f4 = (v: number) => v.toFixed(4);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      csv: { type: 'string', default: path.join('..', 'shared', 'data', 'telco-churn', 'telco-churn-train.csv') },
      seeds: { type: 'string', default: '42,0,1,2,3,4,5,6,7,8,9' },
      json: { type: 'boolean', default: false },
    },
  });
  const rows = parse(await readFile(path.resolve(values.csv!), 'utf8'), { columns: true }) as ChurnRow[];
  const seeds = values.seeds!.split(',').map(Number);
  const runs = seeds.map((seed) => {
    const r = trainChurnModel(rows, { seed });
    return {
      seed,
      chosen: r.kind,
      holdoutRocAuc: r.metrics.rocAuc,
      trainingTimeMs: r.trainingTimeMs,
      candidates: r.candidates.map((c) => ({ kind: c.kind, validationRocAuc: c.validationRocAuc, holdoutRocAuc: c.holdout.rocAuc })),
    };
  });
  const aucs = runs.map((r) => r.holdoutRocAuc);
  const mean = aucs.reduce((s, v) => s + v, 0) / aucs.length;
  const sd = Math.sqrt(aucs.reduce((s, v) => s + (v - mean) ** 2, 0) / Math.max(1, aucs.length - 1));
  const summary = { rows: rows.length, seeds: seeds.length, mean, sd, min: Math.min(...aucs), max: Math.max(...aucs), target: TARGET_ROC_AUC };
  if (values.json) {
    console.log(JSON.stringify({ summary, runs }, null, 2));
    return;
  }
  for (const r of runs) {
    const candidates = r.candidates.map((c) => `${c.kind} ${f4(c.validationRocAuc)}/${f4(c.holdoutRocAuc)}`).join('  ');
    console.log(`seed ${String(r.seed).padStart(3)}: ${r.chosen.padEnd(8)} holdout ROC AUC ${f4(r.holdoutRocAuc)}  (${(r.trainingTimeMs / 1000).toFixed(1)} s; validation/holdout: ${candidates})`);
  }
  console.log(
    `holdout ROC AUC over ${seeds.length} seeds: mean ${f4(mean)} ± ${f4(sd)} (sd), range ${f4(summary.min)}-${f4(summary.max)}; ` +
      `target ≥ ${TARGET_ROC_AUC}: mean ${mean >= TARGET_ROC_AUC ? 'meets' : 'MISSES'}`,
  );
}

main().catch((err: Error) => {
  console.error(`churn-report: ${err.stack ?? err.message}`);
  process.exit(1);
});

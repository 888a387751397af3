/**
 * What an explanation costs per scored row, on models trained from the real Telco CSV (seed 42; the
 * gbdt one has 219 depth-1 trees, the ensemble (what auto ships) adds the logistic model), next to the per-tree recursion that explainChurn ran before its
 * lookup tables, and a check that both give the same explanation, bit for bit, for every row. A
 * script, not a jest test: timings are too noisy to assert on. From the repository root:
 *
 *   npx tsx services/training/test/unit/churn/explain.bench.ts
 *
 * Measured on 2 shared cores, Node 20 (best of several passes over 2,000 rows, after warm-up): gbdt
 * explain ~0.022 ms/row; the recursion here ~0.3 ms/row (the code before the tables, with its
 * per-call allocations, ~1.0 ms/row); first explanation of a spec 12-40 ms (building its tables);
 * logistic explain ~0.01 ms/row; ensemble ~0.04 ms/row. (With 71 depth-4 trees, before the stumps:
 * gbdt 0.026-0.034 ms/row.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parse } from 'csv-parse/sync';
import {
  explain,
  explainChurn,
  type ChurnModelSpec,
  type ChurnRow,
} from '@vigil/common';
import { trainChurnModel } from '../../../src/domain/churn';
import { recursiveExplanation } from './fixtures';

const CSV = join(__dirname, '../../../../../../shared/data/telco-churn/telco-churn-train.csv');
const TOP_K = 5; // what inference asks for (EXPLANATION_TOP_K)



/** Milliseconds per row: the best of `passes` passes over `rows`, after one pass of warm-up. */
function msPerRow(rows: readonly ChurnRow[], passes: number, run: (row: ChurnRow) => unknown): number {
  for (const row of rows) run(row);
  let best = Infinity;
  for (let pass = 0; pass < passes; pass++) {
    const start = process.hrtime.bigint();
    for (const row of rows) run(row);
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e6 / rows.length);
  }
  return best;
}

const all: ChurnRow[] = parse(readFileSync(CSV, 'utf8'), { columns: true, skip_empty_lines: true });
const rows = all.slice(0, 2000);
const gbdt = trainChurnModel(all, { seed: 42, kind: 'gbdt' }).spec;
const logistic = trainChurnModel(all, { seed: 42, kind: 'logistic' }).spec;
const ensemble = trainChurnModel(all, { seed: 42, kind: 'ensemble' }).spec;
if (gbdt.kind !== 'gbdt') throw new Error('expected a gbdt spec');

const fresh: ChurnModelSpec = JSON.parse(JSON.stringify(gbdt));
const start = process.hrtime.bigint();
explain(fresh, rows[0], TOP_K);
const firstMs = Number(process.hrtime.bigint() - start) / 1e6;

const differing = all.filter((row) => !isDeepStrictEqual(explainChurn(gbdt, row), recursiveExplanation(gbdt, row))).length;
console.log(`gbdt: ${gbdt.trees.length} trees; explanations differing from the recursion: ${differing} of ${all.length} rows`);
console.log(`gbdt explain(topK ${TOP_K}): ${msPerRow(rows, 5, (row) => explain(gbdt, row, TOP_K)).toFixed(4)} ms/row`);
console.log(`gbdt recursion:          ${msPerRow(rows, 2, (row) => recursiveExplanation(gbdt, row)).toFixed(4)} ms/row`);
console.log(`gbdt first explanation of a spec (builds its tables): ${firstMs.toFixed(1)} ms`);
console.log(`logistic explain(topK ${TOP_K}): ${msPerRow(rows, 5, (row) => explain(logistic, row, TOP_K)).toFixed(4)} ms/row`);
console.log(`ensemble explain(topK ${TOP_K}): ${msPerRow(rows, 5, (row) => explain(ensemble, row, TOP_K)).toFixed(4)} ms/row`);
if (differing > 0) process.exitCode = 1;

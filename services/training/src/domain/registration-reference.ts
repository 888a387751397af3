import { parse } from 'csv-parse/sync';
import { categoricalReference, numericReference, VigilError, type ReferenceProfile, type TaskConfig } from '@vigil/common';
import type { ModelSession, TensorSignature } from './ports';
import { answersOf } from './registration-outputs';

/** Rows a reference is built from at most (the first ones): deciles settle long before. */
export const REFERENCE_MAX_ROWS = 20_000;

const refuse = (message: string, details: Record<string, unknown> = {}) =>
  new VigilError('VIGIL_UNPROCESSABLE', message, { details: { reason: 'invalid-reference', ...details } });

/** The CSV columns an input is read from: its own name, or name_0 … name_{k-1} for an [N, k] input. */
export function columnsOf(input: TensorSignature): string[] {
  const width = input.shape.slice(1).reduce((a, b) => a * (b === -1 ? 1 : b), 1);
  return width === 1 ? [input.name] : Array.from({ length: width }, (_, i) => `${input.name}_${i}`);
}

function cell(input: TensorSignature, text: string, where: string): string | number | boolean | null {
  if (input.datatype === 'BYTES') return text;
  if (input.datatype === 'BOOL') {
    if (!/^(true|false|1|0)$/i.test(text)) throw refuse(`${where}: "${text}" is not true or false`);
    return /^(true|1)$/i.test(text);
  }
  if (text.trim() === '') {
    if (input.datatype === 'FP32' || input.datatype === 'FP64') return null; // missing: NaN, as at serving
    throw refuse(`${where}: an integer is required`);
  }
  const n = Number(text);
  if (!Number.isFinite(n) || ((input.datatype === 'INT64' || input.datatype === 'INT32') && !Number.isInteger(n))) {
    throw refuse(`${where}: "${text}" is not a ${input.datatype === 'INT64' || input.datatype === 'INT32' ? 'whole number' : 'number'}`);
  }
  return n;
}

/** A CSV with one column per model input (see columnsOf) → the rows and one feed per input. */
export function readReferenceCsv(text: string, inputs: TensorSignature[], what: 'reference' | 'holdout' = 'reference') {
  let records: Record<string, string>[];
  try {
    records = parse(text, { columns: true, skip_empty_lines: true, bom: true, to: REFERENCE_MAX_ROWS });
  } catch (err) {
    throw refuse(`The ${what} is not a CSV with a header: ${(err as Error).message}`);
  }
  if (records.length === 0) throw refuse(`The ${what} has no rows`);
  const header = Object.keys(records[0]);
  const missing = inputs.flatMap(columnsOf).filter((c) => !header.includes(c));
  if (missing.length) throw refuse(`The ${what} lacks the column(s) ${missing.join(', ')} (one per model input; an [N, k] input takes name_0 … name_{k-1})`, { missing });
  const feeds = inputs.map((input) => {
    const columns = columnsOf(input);
    const data = records.flatMap((r, i) => columns.map((c) => cell(input, r[c], `${what} row ${i + 1}, column ${c}`)));
    return { name: input.name, datatype: input.datatype, shape: [records.length, ...(input.shape.length > 1 ? [columns.length] : [])], data };
  });
  return { records, feeds };
}

/**
 * The distribution of every input column and of the score over the reference rows, what drift
 * (PSI) compares live traffic with, as training stores for its own versions. The score is the
 * positive class's probability (binary), the answered class's (multiclass) or the value.
 */
export async function referenceProfile(text: string, inputs: TensorSignature[], config: TaskConfig, session: ModelSession): Promise<ReferenceProfile> {
  const { records, feeds } = readReferenceCsv(text, inputs);
  const score = answersOf(await session.run(feeds), config).map((a) => a.score!);
  const features = inputs.flatMap((input) => columnsOf(input).map((c) => {
    const values = records.map((r) => r[c]);
    return input.datatype === 'BYTES' || input.datatype === 'BOOL' ? categoricalReference(c, values) : numericReference(c, values);
  }));
  return { n: records.length, features, score: numericReference('score', score) };
}

import { VigilError } from '@vigil/common';
import type { ModelConfig, Tensor } from './ports';

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * A model takes requests batched together when every declared input and output has a variable
 * batch dimension first (-1), as Triton's max_batch_size > 0 says.
 */
export function batchable(config: ModelConfig): boolean {
  return config.inputs.length > 0 && [...config.inputs, ...config.outputs].every((s) => s.shape.length > 0 && s.shape[0] === -1);
}

/**
 * Rows of a request and the key of the requests it can share a run with (same names, datatypes and
 * dimensions after the first); null when its tensors disagree on the rows, so it runs alone.
 */
export function batchRowsOf(inputs: Tensor[]): { rows: number; key: string } | null {
  const rows = inputs[0]?.shape[0];
  if (rows === undefined || !inputs.every((t) => t.shape.length > 0 && t.shape[0] === rows)) return null;
  return { rows, key: JSON.stringify(inputs.map((t) => [t.name, t.datatype, t.shape.slice(1)])) };
}

/** Stacks requests with the same batch key along the first dimension, in request order. */
export function concatRows(requests: Tensor[][]): Tensor[] {
  return requests[0].map((t, j) => ({
    name: t.name,
    datatype: t.datatype,
    shape: [requests.reduce((n, r) => n + r[j].shape[0], 0), ...t.shape.slice(1)],
    data: requests.flatMap((r) => r[j].data),
  }));
}

/** Splits the outputs of a stacked run back into each request's own rows, in request order. */
export function splitRows(outputs: Tensor[], rows: number[]): Tensor[][] {
  const total = rows.reduce((a, b) => a + b, 0);
  const bad = outputs.find((o) => o.shape[0] !== total);
  if (bad) throw new VigilError('VIGIL_INTERNAL', `Output ${bad.name} has shape [${bad.shape}], not ${total} rows first: it cannot be split per request`);
  let start = 0;
  return rows.map((n) => {
    const part = outputs.map((o) => {
      const per = size(o.shape.slice(1));
      return { ...o, shape: [n, ...o.shape.slice(1)], data: o.data.slice(start * per, (start + n) * per) };
    });
    start += n;
    return part;
  });
}

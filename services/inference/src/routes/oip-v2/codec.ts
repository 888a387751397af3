import { VigilError } from '@vigil/common';
import type { Datatype, Tensor } from '../../domain/ports';

const DATATYPES: Datatype[] = ['BYTES', 'FP32', 'FP64', 'INT64', 'INT32', 'BOOL'];

export interface OipTensor {
  name: string;
  shape: number[];
  datatype: string;
  data: unknown;
  parameters?: Record<string, unknown>;
}

/** OIP V2 allows tensor data flat or nested row-major; the internal tensor is always flat. */
export function fromOip(t: OipTensor): Tensor {
  if (!DATATYPES.includes(t.datatype as Datatype)) {
    throw new VigilError('VIGIL_VALIDATION', `Input ${t.name}: datatype ${t.datatype} is not supported (${DATATYPES.join(', ')})`);
  }
  const data = Array.isArray(t.data) ? flattenToRank(t.name, t.data as unknown[], Array.isArray(t.shape) ? t.shape.length : 1) : [t.data];
  return { name: t.name, datatype: t.datatype as Datatype, shape: t.shape, data: data as Tensor['data'] };
}

export function toOip(t: Tensor): OipTensor {
  return { name: t.name, shape: t.shape, datatype: t.datatype, data: t.data };
}

/**
 * Nested row-major data is at most as deep as the shape's rank. Flattening one level per dimension
 * (never `flat(Infinity)`, which recurses once per level and overflowed the stack on data nested
 * 100,000 deep) bounds the work by the body size, and anything deeper is the client's mistake.
 */
function flattenToRank(name: string, data: unknown[], rank: number): unknown[] {
  let flat = data;
  for (let level = 1; level < rank && flat.some(Array.isArray); level++) flat = flat.flat(1);
  if (flat.some(Array.isArray)) {
    throw new VigilError('VIGIL_VALIDATION', `Input ${name}: data is nested deeper than its shape's ${rank} dimension(s)`);
  }
  return flat;
}

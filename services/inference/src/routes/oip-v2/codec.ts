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
  const data = Array.isArray(t.data) ? (t.data as unknown[]).flat(Infinity) : [t.data];
  return { name: t.name, datatype: t.datatype as Datatype, shape: t.shape, data: data as Tensor['data'] };
}

export function toOip(t: Tensor): OipTensor {
  return { name: t.name, shape: t.shape, datatype: t.datatype, data: t.data };
}

import { VigilError } from '@vigil/common';
import type { ModelConfig, Tensor } from './ports';

const FP32_MAX = 3.4028234663852886e38;
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * Checks request tensors against the model's declared inputs (names, datatypes, shapes, element
 * counts) and returns them in declared order, with the batch size. Errors name the tensor.
 */
export function checkInputs(config: ModelConfig, inputs: Tensor[], maxBatch: number): { tensors: Tensor[]; batch: number } {
  const byName = new Map(inputs.map((t) => [t.name, t]));
  const unknown = inputs.filter((t) => !config.inputs.some((s) => s.name === t.name)).map((t) => t.name);
  if (unknown.length) throw new VigilError('VIGIL_VALIDATION', `Unknown inputs for model ${config.name}: ${unknown.join(', ')}`);
  let batch = -1;
  const tensors = config.inputs.map((spec) => {
    const t = byName.get(spec.name);
    if (!t) throw new VigilError('VIGIL_VALIDATION', `Missing input ${spec.name}`);
    if (t.datatype !== spec.datatype) throw new VigilError('VIGIL_VALIDATION', `Input ${spec.name} must be ${spec.datatype}, got ${t.datatype}`);
    if (t.shape.length !== spec.shape.length || t.shape.some((d, i) => spec.shape[i] !== -1 && spec.shape[i] !== d) || t.shape.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new VigilError('VIGIL_VALIDATION', `Input ${spec.name} has shape [${t.shape}], expected [${spec.shape}] (-1 = any)`);
    }
    if (t.data.length !== size(t.shape)) {
      throw new VigilError('VIGIL_VALIDATION', `Input ${spec.name} has ${t.data.length} elements, its shape [${t.shape}] needs ${size(t.shape)}`);
    }
    const wrong = t.data.findIndex((v) => (spec.datatype === 'BYTES' ? typeof v !== 'string' : typeof v !== 'number' && v !== null));
    if (wrong >= 0) throw new VigilError('VIGIL_VALIDATION', `Input ${spec.name} element ${wrong} is not ${spec.datatype === 'BYTES' ? 'a string' : 'a number'}`);
    // A JSON number such as 1e308 is finite in JavaScript but Infinity once it is a float32 in the
    // graph, and Infinity - Infinity is NaN: refuse it here rather than audit a NaN score.
    const huge = spec.datatype === 'FP32' ? t.data.findIndex((v) => typeof v === 'number' && !(Math.abs(v) <= FP32_MAX)) : -1;
    if (huge >= 0) {
      throw new VigilError('VIGIL_UNPROCESSABLE', `Input ${spec.name} element ${huge} (${t.data[huge]}) is outside the float32 range of the model (±${FP32_MAX.toExponential(3)})`);
    }
    if (batch !== -1 && t.shape[0] !== batch) throw new VigilError('VIGIL_VALIDATION', `Inputs disagree on the batch size (${batch} vs ${t.shape[0]} for ${spec.name})`);
    batch = t.shape[0];
    return t;
  });
  if (batch < 1) throw new VigilError('VIGIL_VALIDATION', 'A request needs at least one row');
  if (batch > maxBatch) throw new VigilError('VIGIL_VALIDATION', `At most ${maxBatch} rows per request, got ${batch}`);
  return { tensors, batch };
}

/** Row i of every tensor (first dimension is the batch), as { name: value | values }. */
export function rowOf(tensors: Tensor[], i: number): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const t of tensors) {
    const per = size(t.shape.slice(1));
    const values = t.data.slice(i * per, (i + 1) * per);
    row[t.name] = per === 1 ? values[0] : values;
  }
  return row;
}

import { batchable, batchRowsOf, concatRows, splitRows } from '../../src/domain/batch-rows';
import type { ModelConfig, Tensor } from '../../src/domain/ports';

const config = (inputShape: number[], outputShape: number[]): ModelConfig => ({
  name: 'm', pipeline: 'churn', threshold: 0.5, spec: null,
  inputs: [{ name: 'x', datatype: 'FP32', shape: inputShape }],
  outputs: [{ name: 'p', datatype: 'FP32', shape: outputShape }],
});
const request = (rows: number[][], tag: string): Tensor[] => [
  { name: 'x', datatype: 'FP32', shape: [rows.length, 2], data: rows.flat() },
  { name: 'id', datatype: 'BYTES', shape: [rows.length, 1], data: rows.map((_, i) => `${tag}${i}`) },
];

describe('stacking requests along the batch dimension', () => {
  test('a model is batchable only when every input and output has a variable first dimension', () => {
    expect(batchable(config([-1, 2], [-1, 1]))).toBe(true);
    expect(batchable(config([1, 2], [-1, 1]))).toBe(false);
    expect(batchable(config([-1, 2], [1]))).toBe(false);
    expect(batchable(config([-1, 2], []))).toBe(false);
  });

  test('requests share a key when names, datatypes and row shapes agree; tensors that disagree on rows do not batch', () => {
    const a = batchRowsOf(request([[1, 2]], 'a'));
    const b = batchRowsOf(request([[3, 4], [5, 6]], 'b'));
    expect(a).toMatchObject({ rows: 1 });
    expect(b).toMatchObject({ rows: 2 });
    expect(a!.key).toBe(b!.key);
    const wider = batchRowsOf([{ name: 'x', datatype: 'FP32', shape: [1, 3], data: [1, 2, 3] }, request([[0, 0]], 'c')[1]]);
    expect(wider!.key).not.toBe(a!.key);
    expect(batchRowsOf([request([[1, 2]], 'a')[0], request([[1, 2], [3, 4]], 'b')[1]])).toBeNull();
    expect(batchRowsOf([])).toBeNull();
  });

  test('stacked then split, each request gets exactly its own rows back', () => {
    const requests = [request([[1, 2]], 'a'), request([[3, 4], [5, 6]], 'b'), request([[7, 8]], 'c')];
    const stacked = concatRows(requests);
    expect(stacked[0]).toEqual({ name: 'x', datatype: 'FP32', shape: [4, 2], data: [1, 2, 3, 4, 5, 6, 7, 8] });
    expect(stacked[1].data).toEqual(['a0', 'b0', 'b1', 'c0']);
    expect(splitRows(stacked, [1, 2, 1])).toEqual(requests);
  });

  test('outputs without the batch rows first cannot be split and fail with VIGIL_INTERNAL', () => {
    const scalar: Tensor = { name: 'p', datatype: 'FP32', shape: [1], data: [0.5] };
    expect(() => splitRows([scalar], [1, 1])).toThrow(expect.objectContaining({ code: 'VIGIL_INTERNAL' }));
  });
});

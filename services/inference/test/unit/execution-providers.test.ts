import type { Logger } from '@vigil/common';
import {
  chooseExecutionProvider, parseExecutionProviders, selectExecutionProvider, type ExecutionProvider,
} from '../../src/adapters/onnx/execution-providers';

/** A probe that accepts only `usable`, and remembers what it was asked. */
function fakeProbe(usable: ExecutionProvider[]) {
  const asked: ExecutionProvider[] = [];
  const probe = async (p: ExecutionProvider) => {
    asked.push(p);
    if (!usable.includes(p)) throw new Error(`${p}: no device`);
  };
  return { probe, asked };
}

describe('choosing the onnxruntime execution provider', () => {
  test('the list is read in order without repeats, and cpu is always the last resort', () => {
    expect(parseExecutionProviders('cuda,webgpu,cpu')).toEqual(['cuda', 'webgpu', 'cpu']);
    expect(parseExecutionProviders(' webgpu , cuda,webgpu')).toEqual(['webgpu', 'cuda', 'cpu']);
    expect(parseExecutionProviders('cpu,cuda')).toEqual(['cpu', 'cuda']);
  });

  test('the first provider that works is used, and those after it are never tried', async () => {
    const { probe, asked } = fakeProbe(['cuda', 'webgpu']);
    const skipped: string[] = [];
    expect(await chooseExecutionProvider(['cuda', 'webgpu', 'cpu'], probe, (p) => skipped.push(p))).toBe('cuda');
    expect(asked).toEqual(['cuda']);
    expect(skipped).toEqual([]);
  });

  test('each provider that fails is reported once with its reason, then the next is tried', async () => {
    const { probe, asked } = fakeProbe(['webgpu']);
    const skipped: [string, string][] = [];
    expect(await chooseExecutionProvider(['cuda', 'webgpu', 'cpu'], probe, (p, reason) => skipped.push([p, reason]))).toBe('webgpu');
    expect(asked).toEqual(['cuda', 'webgpu']);
    expect(skipped).toEqual([['cuda', 'cuda: no device']]);
  });

  test('with no device at all cpu serves, and cpu itself is never probed', async () => {
    const { probe, asked } = fakeProbe([]);
    const skipped: string[] = [];
    expect(await chooseExecutionProvider(['cuda', 'webgpu', 'cpu'], probe, (p) => skipped.push(p))).toBe('cpu');
    expect(asked).toEqual(['cuda', 'webgpu']);
    expect(skipped).toEqual(['cuda', 'webgpu']);
    // cpu listed first wins without probing anything.
    expect(await chooseExecutionProvider(['cpu', 'cuda'], probe, () => undefined)).toBe('cpu');
    expect(asked).toEqual(['cuda', 'webgpu']);
  });

  test('each fallback is one pino warning naming the provider and the reason', async () => {
    const warnings: unknown[][] = [];
    const logger = { warn: (...args: unknown[]) => warnings.push(args) } as unknown as Logger;
    expect(await selectExecutionProvider('cuda,webgpu', logger, fakeProbe([]).probe)).toBe('cpu');
    expect(warnings).toEqual([
      [{ provider: 'cuda', reason: 'cuda: no device' }, expect.stringContaining('cuda')],
      [{ provider: 'webgpu', reason: 'webgpu: no device' }, expect.stringContaining('webgpu')],
    ]);
  });
});

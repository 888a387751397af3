import { existsSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import type { Logger } from '@vigil/common';

export const EXECUTION_PROVIDERS = ['cuda', 'webgpu', 'cpu'] as const;
export type ExecutionProvider = (typeof EXECUTION_PROVIDERS)[number];

/** Resolves when a provider can run a session here; rejects with the reason when it cannot. */
export type ProviderProbe = (provider: ExecutionProvider) => Promise<void>;

/**
 * ORT_EXECUTION_PROVIDERS ("cuda,webgpu,cpu") as an ordered list without repeats; cpu is always
 * the last resort, listed or not. The config schema has already rejected unknown names.
 */
export function parseExecutionProviders(list: string): ExecutionProvider[] {
  const names = list.split(',').map((s) => s.trim()).filter((s): s is ExecutionProvider => (EXECUTION_PROVIDERS as readonly string[]).includes(s));
  return [...new Set([...names, 'cpu' as const])];
}

/**
 * The first provider of `wanted` that `probe` accepts, trying them in order; each one passed over
 * is reported to `onSkip` once, with the reason. cpu is never probed: it is what onnxruntime always has.
 */
export async function chooseExecutionProvider(
  wanted: readonly ExecutionProvider[],
  probe: ProviderProbe,
  onSkip: (provider: ExecutionProvider, reason: string) => void,
): Promise<ExecutionProvider> {
  for (const provider of wanted) {
    if (provider === 'cpu') return 'cpu';
    try {
      await probe(provider);
      return provider;
    } catch (err) {
      onSkip(provider, (err instanceof Error ? err.message : String(err)).trim());
    }
  }
  return 'cpu';
}

/**
 * A 75-byte ONNX model, y = Identity(x) on float32 [1] (IR 8, opset 17), written once with
 * training's onnx-proto writer: the smallest graph that makes a provider initialise its device.
 */
export const PROBE_MODEL = Buffer.from('CAgSAXAaATE6OwoUCgF4EgF5GgJpZCIISWRlbnRpdHkSAWdaDwoBeBIKCggIARIECgIIAWIPCgF5EgoKCAgBEgQKAggBQgQKABAR', 'base64');

/**
 * The binding lists CUDA as supported even when its provider libraries were never installed (the
 * npm install here runs with onnxruntime-node-install=skip), and a session that asks for it then
 * fails: CUDA counts as present only when its provider library sits beside the binding.
 */
function cudaLibraryMissing(): string | null {
  const binDir = path.join(path.dirname(require.resolve('onnxruntime-node/package.json')), 'bin', 'napi-v6', process.platform, process.arch);
  const lib = path.join(binDir, 'libonnxruntime_providers_cuda.so');
  return existsSync(lib) ? null : `${lib} is not installed (npm install with onnxruntime-node-install=skip leaves it out)`;
}

/**
 * The real probe: the binding must list the provider, CUDA's library must be installed, and a
 * session of PROBE_MODEL on that provider alone must be created and run. WebGPU without a usable
 * adapter (no GPU, no Vulkan) fails here with "Failed to get a WebGPU adapter", in about 0.1 s.
 */
export async function probeExecutionProvider(provider: ExecutionProvider): Promise<void> {
  if (!ort.listSupportedBackends().some((b) => b.name === provider)) throw new Error(`this onnxruntime-node build has no ${provider} provider`);
  const missing = provider === 'cuda' ? cudaLibraryMissing() : null;
  if (missing) throw new Error(missing);
  const session = await ort.InferenceSession.create(PROBE_MODEL, { executionProviders: [provider] });
  try {
    await session.run({ x: new ort.Tensor('float32', Float32Array.of(1), [1]) });
  } finally {
    await session.release();
  }
}

/** At start: the provider this process serves on, each fallback logged once with its reason. */
export function selectExecutionProvider(list: string, logger: Logger, probe: ProviderProbe = probeExecutionProvider): Promise<ExecutionProvider> {
  return chooseExecutionProvider(parseExecutionProviders(list), probe, (provider, reason) =>
    logger.warn({ provider, reason }, `onnxruntime execution provider ${provider} is unavailable; trying the next one`),
  );
}

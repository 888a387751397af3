import { existsSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { VigilError } from '@vigil/common';
import type { Datatype, LoadedModel, ModelRuntime, Tensor } from '../../domain/ports';

type OrtType = 'string' | 'float32' | 'float64' | 'int64' | 'int32' | 'bool';
const ORT_TYPE: Record<Datatype, OrtType> = { BYTES: 'string', FP32: 'float32', FP64: 'float64', INT64: 'int64', INT32: 'int32', BOOL: 'bool' };
const DATATYPE: Record<string, Datatype> = Object.fromEntries(Object.entries(ORT_TYPE).map(([k, v]) => [v, k as Datatype]));

function toOrt(t: Tensor): ort.Tensor {
  switch (t.datatype) {
    case 'BYTES':
      return new ort.Tensor('string', t.data as string[], t.shape);
    case 'FP32':
      // JSON has no NaN: a missing numeric value arrives as null and is NaN to the graph.
      return new ort.Tensor('float32', Float32Array.from(t.data, (v) => (v === null ? NaN : Number(v))), t.shape);
    case 'FP64':
      return new ort.Tensor('float64', Float64Array.from(t.data, (v) => (v === null ? NaN : Number(v))), t.shape);
    case 'INT64':
      return new ort.Tensor('int64', BigInt64Array.from(t.data, (v) => BigInt(Number(v))), t.shape);
    case 'INT32':
      return new ort.Tensor('int32', Int32Array.from(t.data, (v) => Number(v)), t.shape);
    case 'BOOL':
      return new ort.Tensor('bool', Uint8Array.from(t.data, (v) => (v ? 1 : 0)), t.shape);
  }
}

function fromOrt(name: string, t: ort.Tensor): Tensor {
  const datatype = DATATYPE[t.type];
  if (!datatype) throw new VigilError('VIGIL_INTERNAL', `Output ${name} has unsupported type ${t.type}`);
  const data = Array.from(t.data as ArrayLike<number | string | bigint>, (v) => (typeof v === 'bigint' ? Number(v) : v));
  return { name, datatype, shape: [...t.dims], data };
}

/**
 * The binding lists CUDA as supported even when its provider libraries were never installed (the
 * npm install here runs with onnxruntime-node-install=skip), and a session that asks for it then
 * fails: CUDA counts as present only when its provider library sits beside the binding.
 */
function cudaPresent(): boolean {
  if (!ort.listSupportedBackends().some((b) => b.name === 'cuda')) return false;
  const binDir = path.join(path.dirname(require.resolve('onnxruntime-node/package.json')), 'bin', 'napi-v6', process.platform, process.arch);
  return existsSync(path.join(binDir, 'libonnxruntime_providers_cuda.so'));
}

interface SharedSession {
  session: ort.InferenceSession;
  users: number;
}

/**
 * onnxruntime-node backend: CUDA where it is present, CPU otherwise. If CUDA still fails to load,
 * it is dropped once and CPU serves. Image backbones are shared by sha256: xray-pneumonia and
 * xray-type (and an old and a new version during a hot swap) hold one session between them.
 */
export function createOnnxRuntime(options: { intraOpThreads: number }): ModelRuntime & { executionProviders: string[] } {
  const executionProviders = cudaPresent() ? ['cuda', 'cpu'] : ['cpu'];
  const backbones = new Map<string, Promise<SharedSession>>();
  const open = (artifact: Uint8Array) =>
    ort.InferenceSession.create(artifact, { executionProviders, intraOpNumThreads: options.intraOpThreads, graphOptimizationLevel: 'all' });
  async function create(artifact: Uint8Array): Promise<ort.InferenceSession> {
    try {
      return await open(artifact);
    } catch (err) {
      if (executionProviders[0] !== 'cuda') throw err;
      executionProviders.splice(0, 1);
      return open(artifact);
    }
  }
  async function acquireBackbone(sha256: string, bytes: Uint8Array): Promise<SharedSession> {
    let shared = backbones.get(sha256);
    if (!shared) {
      shared = create(bytes).then((session) => ({ session, users: 0 }));
      backbones.set(sha256, shared);
      shared.catch(() => backbones.delete(sha256));
    }
    const s = await shared;
    s.users += 1;
    return s;
  }
  async function releaseBackbone(sha256: string): Promise<void> {
    const shared = backbones.get(sha256);
    if (!shared) return;
    const s = await shared;
    s.users -= 1;
    if (s.users === 0) {
      backbones.delete(sha256);
      await s.session.release();
    }
  }
  return {
    executionProviders,
    async load(ref, artifact, config, files = {}): Promise<LoadedModel> {
      const session = await create(artifact);
      const outputNames = config.outputs.map((o) => o.name);
      const model: LoadedModel & { session: ort.InferenceSession } = {
        ref,
        config,
        session,
        async execute(inputs) {
          const feeds = Object.fromEntries(inputs.map((t) => [t.name, toOrt(t)]));
          const results = await session.run(feeds, outputNames);
          return outputNames.map((n) => fromOrt(n, results[n]));
        },
      };
      const spec = config.backbone;
      if (spec) {
        const bytes = files[spec.file];
        if (!bytes) throw new VigilError('VIGIL_INTERNAL', `${ref.name} v${ref.version} needs ${spec.file}, which was not provided`);
        let backbone: SharedSession;
        try {
          backbone = await acquireBackbone(spec.sha256, bytes);
        } catch (err) {
          await session.release();
          throw err;
        }
        model.embed = async (images, n) => {
          const size = images.length / n;
          const side = Math.round(Math.sqrt(size / 3));
          const feeds = { [spec.input]: new ort.Tensor('float32', images, [n, side, side, 3]) };
          const out = await backbone.session.run(feeds, [spec.output]);
          return out[spec.output].data as Float32Array;
        };
      }
      return model;
    },
    async unload(model) {
      await (model as LoadedModel & { session: ort.InferenceSession }).session.release();
      if (model.config.backbone) await releaseBackbone(model.config.backbone.sha256);
    },
  };
}

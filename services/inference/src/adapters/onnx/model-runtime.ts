import * as ort from 'onnxruntime-node';
import { VigilError, type Logger } from '@vigil/common';
import { batchable } from '../../domain/batch-rows';
import type { Datatype, LoadedModel, ModelRuntime, Tensor } from '../../domain/ports';
import { batchedEmbed, batchedExecute, type BatchingOptions, type BatchRun } from './batched-runs';
import type { ExecutionProvider } from './execution-providers';

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

export interface OnnxRuntimeOptions {
  /** ORT_INTRA_OP_THREADS. */
  intraOpThreads: number;
  /** Chosen at start by selectExecutionProvider (ORT_EXECUTION_PROVIDERS). */
  executionProvider: ExecutionProvider;
  /** Dynamic batching of concurrent requests per model and per backbone. */
  batch: BatchingOptions;
  /** Told of every session run, batched or not (nv_inference_exec_count). */
  onBatch?: (run: BatchRun) => void;
  /** Where a provider that still fails when a model's session is created is reported. */
  logger?: Logger;
}

interface SharedSession {
  session: ort.InferenceSession;
  users: number;
  embed: ReturnType<typeof batchedEmbed>;
}

type OnnxModel = LoadedModel & { session: ort.InferenceSession; drain(): Promise<void> };

/**
 * onnxruntime-node backend on the execution provider chosen at start (CPU always behind it). If
 * that provider still fails when a session is created, it is dropped once, with a warning, and CPU
 * serves from then on. Image backbones are shared by sha256: xray-pneumonia and xray-type (and an
 * old and a new version during a hot swap) hold one session, and one batcher, between them.
 * Batching does not touch leases: a caller holds its model's lease until its rows come back, and a
 * session is released only after its batchers have drained.
 */
export function createOnnxRuntime(options: OnnxRuntimeOptions): ModelRuntime & { readonly executionProvider: ExecutionProvider } {
  let provider = options.executionProvider;
  const backbones = new Map<string, Promise<SharedSession>>();
  const open = (artifact: Uint8Array) =>
    ort.InferenceSession.create(artifact, {
      executionProviders: provider === 'cpu' ? ['cpu'] : [provider, 'cpu'],
      intraOpNumThreads: options.intraOpThreads,
      graphOptimizationLevel: 'all',
    });
  async function create(artifact: Uint8Array): Promise<{ session: ort.InferenceSession; provider: ExecutionProvider }> {
    const tried = provider;
    try {
      return { session: await open(artifact), provider: tried };
    } catch (err) {
      if (tried === 'cpu') throw err;
      if (provider === tried) {
        provider = 'cpu';
        options.logger?.warn({ provider: tried, reason: (err as Error).message }, `onnxruntime execution provider ${tried} failed to create a session; using cpu`);
      }
      return { session: await open(artifact), provider: 'cpu' };
    }
  }
  async function acquireBackbone(spec: NonNullable<LoadedModel['config']['backbone']>, bytes: Uint8Array): Promise<SharedSession> {
    let shared = backbones.get(spec.sha256);
    if (!shared) {
      shared = create(bytes).then(({ session }) => ({
        session,
        users: 0,
        embed: batchedEmbed(
          async (images, n) => {
            const side = Math.round(Math.sqrt(images.length / n / 3));
            const out = await session.run({ [spec.input]: new ort.Tensor('float32', images, [n, side, side, 3]) }, [spec.output]);
            return out[spec.output].data as Float32Array;
          },
          { ...options.batch, label: { model: 'backbone', version: spec.sha256.slice(0, 12) }, onBatch: options.onBatch },
        ),
      }));
      backbones.set(spec.sha256, shared);
      shared.catch(() => backbones.delete(spec.sha256));
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
      await s.embed.drain();
      await s.session.release();
    }
  }
  return {
    get executionProvider() {
      return provider;
    },
    async load(ref, artifact, config, files = {}): Promise<LoadedModel> {
      const { session, provider: sessionProvider } = await create(artifact);
      const outputNames = config.outputs.map((o) => o.name);
      const batched = batchedExecute(
        async (inputs) => {
          const feeds = Object.fromEntries(inputs.map((t) => [t.name, toOrt(t)]));
          const results = await session.run(feeds, outputNames);
          return outputNames.map((n) => fromOrt(n, results[n]));
        },
        { ...options.batch, batchable: batchable(config), label: { model: ref.name, version: String(ref.version) }, onBatch: options.onBatch },
      );
      const model: OnnxModel = { ref, config, session, executionProvider: sessionProvider, execute: batched.execute, drain: batched.drain };
      const spec = config.backbone;
      if (spec) {
        const bytes = files[spec.file];
        if (!bytes) {
          await session.release();
          throw new VigilError('VIGIL_INTERNAL', `${ref.name} v${ref.version} needs ${spec.file}, which was not provided`);
        }
        let backbone: SharedSession;
        try {
          backbone = await acquireBackbone(spec, bytes);
        } catch (err) {
          await session.release();
          throw err;
        }
        model.embed = backbone.embed.embed;
      }
      return model;
    },
    async unload(model) {
      const m = model as OnnxModel;
      await m.drain();
      await m.session.release();
      if (model.config.backbone) await releaseBackbone(model.config.backbone.sha256);
    },
  };
}

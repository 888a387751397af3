/**
 * Checks an uploaded ONNX file the way inference will run it (onnxruntime-node, CPU): parse, make
 * ZipMap outputs tensors, load, read the signature, run. Every refusal is a 422 that names what is
 * wrong, so the data scientist can fix the export rather than guess.
 */
import { createHash } from 'node:crypto';
import * as ort from 'onnxruntime-node';
import { VigilError } from '@vigil/common';
import type { Feeds, ModelInspector, ModelSession, TensorSignature } from '../../domain/ports';
import { readOnnx, removeZipMaps, type OnnxSummary } from './onnx-wire';

/** Domains whose operators onnxruntime's CPU provider implements. */
const RUNNABLE_DOMAINS = new Set(['', 'ai.onnx', 'ai.onnx.ml', 'com.microsoft']);
const DATATYPES: Record<string, string> = { float32: 'FP32', float64: 'FP64', int64: 'INT64', int32: 'INT32', string: 'BYTES', bool: 'BOOL' };
const ORT_TYPES: Record<string, ort.Tensor.Type> = { FP32: 'float32', FP64: 'float64', INT64: 'int64', INT32: 'int32', BYTES: 'string', BOOL: 'bool' };
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

const unprocessable = (reason: string, message: string, details: Record<string, unknown> = {}) =>
  new VigilError('VIGIL_UNPROCESSABLE', message, { details: { reason, ...details } });

function parse(onnx: Uint8Array): OnnxSummary {
  if (onnx.length === 0) throw unprocessable('not-onnx', 'The model file is empty');
  let summary: OnnxSummary;
  try {
    summary = readOnnx(onnx);
  } catch (err) {
    throw unprocessable('not-onnx', `The model file is not an ONNX model (protobuf ModelProto): ${(err as Error).message}`);
  }
  if (summary.nodes.length === 0) throw unprocessable('not-onnx', 'The model file is not an ONNX model: its graph has no nodes');
  const foreign = summary.nodes.find((n) => !RUNNABLE_DOMAINS.has(n.domain));
  if (foreign) {
    throw unprocessable('unsupported-operator', `Operator ${foreign.opType} of domain ${foreign.domain} is not one onnxruntime can run (domains: ai.onnx, ai.onnx.ml, com.microsoft)`, {
      operator: foreign.opType, domain: foreign.domain,
    });
  }
  return summary;
}

function signature(meta: readonly ort.InferenceSession.ValueMetadata[], what: string): TensorSignature[] {
  return meta.map((m) => {
    if (!m.isTensor) throw unprocessable('non-tensor-output', `${what} ${m.name} is not a tensor, and onnxruntime-node can return tensors only`);
    const datatype = DATATYPES[m.type];
    if (!datatype) throw unprocessable('unsupported-datatype', `${what} ${m.name} has datatype ${m.type}, which Vigil does not serve`);
    return { name: m.name, datatype, shape: m.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : -1)) };
  });
}

async function load(served: Uint8Array, summary: OnnxSummary): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(served, { executionProviders: ['cpu'], graphOptimizationLevel: 'all' });
  } catch (err) {
    const message = (err as Error).message;
    // "Could not find an implementation for Foo(7) node with name 'x'": name the op and its domain.
    const op = /implementation for (\w+)\((\d+)\)/.exec(message);
    const node = op ? summary.nodes.find((n) => n.opType === op[1]) : undefined;
    throw unprocessable(op ? 'unsupported-operator' : 'invalid-model', op
      ? `onnxruntime cannot run operator ${op[1]} (opset ${op[2]}) of domain ${node?.domain || 'ai.onnx'}`
      : `onnxruntime refused the model: ${message.slice(0, 500)}`, op ? { operator: op[1], domain: node?.domain || 'ai.onnx' } : {});
  }
}

function toOrt(f: Feeds[number]): ort.Tensor {
  const type = ORT_TYPES[f.datatype];
  const data = type === 'string' ? f.data.map(String)
    : type === 'int64' ? BigInt64Array.from(f.data.map((v) => BigInt(Math.trunc(Number(v)))))
    : type === 'float64' ? Float64Array.from(f.data.map(Number))
    : type === 'int32' ? Int32Array.from(f.data.map(Number))
    : type === 'bool' ? Uint8Array.from(f.data.map((v) => (v ? 1 : 0)))
    : Float32Array.from(f.data.map((v) => (v === null ? NaN : Number(v))));
  return new ort.Tensor(type, data as never, f.shape);
}

function sessionOf(session: ort.InferenceSession): ModelSession {
  return {
    async run(feeds) {
      try {
        const out = await session.run(Object.fromEntries(feeds.map((f) => [f.name, toOrt(f)])));
        return Object.fromEntries(Object.entries(out).map(([name, t]) => [
          name, { shape: [...t.dims], data: Array.from(t.data as ArrayLike<unknown>, (v) => (typeof v === 'bigint' ? Number(v) : v)) },
        ]));
      } catch (err) {
        throw unprocessable('run-failed', `The model failed on its test rows: ${(err as Error).message.slice(0, 500)}`);
      }
    },
    release: () => session.release(),
  };
}

export function createModelInspector(): ModelInspector {
  return {
    async inspect(onnx) {
      const summary = parse(onnx);
      const { bytes: served, rewrites } = removeZipMaps(onnx);
      const session = await load(served, summary);
      try {
        return {
          uploadedSha256: sha256(onnx),
          served,
          servedSha256: sha256(served),
          inputs: signature(session.inputMetadata, 'Input'),
          outputs: signature(session.outputMetadata, 'Output'),
          zipMaps: rewrites,
          ...sessionOf(session),
        };
      } catch (err) {
        await session.release();
        throw err;
      }
    },
    async open(served) {
      return sessionOf(await load(served, readOnnx(served)));
    },
  };
}

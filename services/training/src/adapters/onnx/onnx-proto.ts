/**
 * A minimal writer for the subset of onnx.proto (ModelProto and what it contains) that the churn
 * exporter and the MobileNetV2 backbone converter need.
 *
 * Why hand-written: onnx publishes no maintained TypeScript protobuf package on npm, and vendoring
 * onnx.proto into proto/ (owned by the events schema, linted and breaking-checked by buf) would
 * drag a 900-line third-party schema into our contract tree for one writer. Field numbers below are
 * taken from onnx/onnx.proto (proto2) and checked by onnxruntime itself, which rejects a malformed
 * model (see the integration test). Encoding is delegated to @bufbuild/protobuf's BinaryWriter
 * (varints, fixed floats, UTF-8, length prefixes), so only field numbers live here.
 */
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { VigilError } from '@vigil/common';

/** TensorProto.DataType values used here. */
export const OnnxDataType = { FLOAT: 1, INT64: 7, STRING: 8, BOOL: 9, DOUBLE: 11 } as const;
export type OnnxDataTypeName = keyof typeof OnnxDataType;

/** AttributeProto.AttributeType values used here. */
const ATTR_TYPE = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

export interface OnnxTensor {
  name: string;
  dataType: 'FLOAT' | 'DOUBLE' | 'INT64' | 'STRING';
  dims: number[];
  /**
   * Numbers for FLOAT/DOUBLE/INT64, strings for STRING; row-major. A Float32Array (FLOAT only) is
   * written as raw_data: millions of conv weights as one byte string, not one packed varint each.
   */
  values: readonly number[] | readonly string[] | Float32Array;
}

export type OnnxAttribute =
  | { name: string; kind: 'float'; value: number }
  | { name: string; kind: 'int'; value: number }
  | { name: string; kind: 'string'; value: string }
  | { name: string; kind: 'floats'; value: readonly number[] }
  | { name: string; kind: 'ints'; value: readonly number[] }
  | { name: string; kind: 'strings'; value: readonly string[] }
  | { name: string; kind: 'tensor'; value: OnnxTensor };

export interface OnnxNode {
  opType: string;
  /** '' (default) is ai.onnx; 'ai.onnx.ml' for the classic ML operators. */
  domain?: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attributes?: OnnxAttribute[];
}

export interface OnnxValueInfo {
  name: string;
  elemType: OnnxDataTypeName;
  /** A number is a fixed dimension, a string a symbolic one (e.g. the batch size 'N'). */
  shape: (number | string)[];
  /** Instead of a tensor: a sequence of maps from this key type to elemType (what ZipMap returns). */
  sequenceOfMapsKey?: 'INT64' | 'STRING';
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

export interface OnnxModel {
  irVersion: number;
  opsetImports: { domain: string; version: number }[];
  producerName: string;
  producerVersion: string;
  graph: OnnxGraph;
  metadata: Record<string, string>;
}

const utf8 = new TextEncoder();
const LEN = WireType.LengthDelimited;

/** Writes `fieldNo` as an embedded message whose body `body` writes. */
function message(w: BinaryWriter, fieldNo: number, body: (w: BinaryWriter) => void): void {
  w.tag(fieldNo, LEN).fork();
  body(w);
  w.join();
}

/**
 * onnx.proto: raw_data holds "fixed-width, little-endian" values whatever the host's byte order, so
 * the bytes go through a DataView rather than aliasing the array's buffer.
 */
function littleEndianBytes(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  return out;
}

function writeTensor(w: BinaryWriter, t: OnnxTensor): void {
  for (const d of t.dims) w.tag(1, WireType.Varint).int64(d); // dims (not packed in onnx.proto)
  w.tag(2, WireType.Varint).int32(OnnxDataType[t.dataType]); // data_type
  if (t.values instanceof Float32Array) {
    if (t.dataType !== 'FLOAT') throw new VigilError('VIGIL_INTERNAL', `tensor ${t.name}: a Float32Array needs dataType FLOAT, not ${t.dataType}`);
    w.tag(9, LEN).bytes(littleEndianBytes(t.values)); // raw_data
  } else if (t.dataType === 'STRING') {
    for (const s of t.values as readonly string[]) w.tag(6, LEN).bytes(utf8.encode(s)); // string_data
  } else {
    const values = t.values as readonly number[];
    // float_data=4, int64_data=7 and double_data=10 are declared [packed = true].
    const field = t.dataType === 'FLOAT' ? 4 : t.dataType === 'INT64' ? 7 : 10;
    w.tag(field, LEN).fork();
    for (const v of values) {
      if (t.dataType === 'FLOAT') w.float(v);
      else if (t.dataType === 'INT64') w.int64(v);
      else w.double(v);
    }
    w.join();
  }
  w.tag(8, LEN).string(t.name); // name
}

function writeAttribute(w: BinaryWriter, a: OnnxAttribute): void {
  w.tag(1, LEN).string(a.name);
  // Repeated scalars of AttributeProto are not [packed] in proto2 onnx.proto: one tag per element.
  switch (a.kind) {
    case 'float':
      w.tag(2, WireType.Bit32).float(a.value).tag(20, WireType.Varint).int32(ATTR_TYPE.FLOAT);
      break;
    case 'int':
      w.tag(3, WireType.Varint).int64(a.value).tag(20, WireType.Varint).int32(ATTR_TYPE.INT);
      break;
    case 'string':
      w.tag(4, LEN).bytes(utf8.encode(a.value)).tag(20, WireType.Varint).int32(ATTR_TYPE.STRING);
      break;
    case 'tensor':
      message(w, 5, (m) => writeTensor(m, a.value));
      w.tag(20, WireType.Varint).int32(ATTR_TYPE.TENSOR);
      break;
    case 'floats':
      for (const v of a.value) w.tag(7, WireType.Bit32).float(v);
      w.tag(20, WireType.Varint).int32(ATTR_TYPE.FLOATS);
      break;
    case 'ints':
      for (const v of a.value) w.tag(8, WireType.Varint).int64(v);
      w.tag(20, WireType.Varint).int32(ATTR_TYPE.INTS);
      break;
    case 'strings':
      for (const v of a.value) w.tag(9, LEN).bytes(utf8.encode(v));
      w.tag(20, WireType.Varint).int32(ATTR_TYPE.STRINGS);
      break;
  }
}

function writeNode(w: BinaryWriter, n: OnnxNode): void {
  for (const i of n.inputs) w.tag(1, LEN).string(i);
  for (const o of n.outputs) w.tag(2, LEN).string(o);
  w.tag(3, LEN).string(n.name);
  w.tag(4, LEN).string(n.opType);
  for (const a of n.attributes ?? []) message(w, 5, (m) => writeAttribute(m, a));
  if (n.domain) w.tag(7, LEN).string(n.domain);
}

function writeValueInfo(w: BinaryWriter, v: OnnxValueInfo): void {
  w.tag(1, LEN).string(v.name);
  if (v.sequenceOfMapsKey) {
    // TypeProto.sequence_type (4) { elem_type: TypeProto.map_type (5) { key_type, value_type: tensor } }.
    const key = v.sequenceOfMapsKey;
    message(w, 2, (typeProto) => message(typeProto, 4, (seq) => message(seq, 1, (elem) => message(elem, 5, (map) => {
      map.tag(1, WireType.Varint).int32(OnnxDataType[key]);
      message(map, 2, (value) => message(value, 1, (tensor) => tensor.tag(1, WireType.Varint).int32(OnnxDataType[v.elemType])));
    }))));
    return;
  }
  message(w, 2, (typeProto) =>
    message(typeProto, 1, (tensorType) => {
      tensorType.tag(1, WireType.Varint).int32(OnnxDataType[v.elemType]);
      message(tensorType, 2, (shape) => {
        for (const d of v.shape) {
          message(shape, 1, (dim) => {
            if (typeof d === 'number') dim.tag(1, WireType.Varint).int64(d); // dim_value
            else dim.tag(2, LEN).string(d); // dim_param
          });
        }
      });
    }),
  );
}

function writeGraph(w: BinaryWriter, g: OnnxGraph): void {
  for (const n of g.nodes) message(w, 1, (m) => writeNode(m, n));
  w.tag(2, LEN).string(g.name);
  for (const t of g.initializers) message(w, 5, (m) => writeTensor(m, t));
  for (const i of g.inputs) message(w, 11, (m) => writeValueInfo(m, i));
  for (const o of g.outputs) message(w, 12, (m) => writeValueInfo(m, o));
}

/** Serializes a ModelProto. Field order follows field numbers loosely; protobuf does not care. */
export function encodeOnnxModel(model: OnnxModel): Uint8Array {
  const w = new BinaryWriter();
  w.tag(1, WireType.Varint).int64(model.irVersion);
  w.tag(2, LEN).string(model.producerName);
  w.tag(3, LEN).string(model.producerVersion);
  message(w, 7, (m) => writeGraph(m, model.graph));
  for (const o of model.opsetImports) {
    message(w, 8, (m) => {
      m.tag(1, LEN).string(o.domain);
      m.tag(2, WireType.Varint).int64(o.version);
    });
  }
  for (const [key, value] of Object.entries(model.metadata)) {
    message(w, 14, (m) => {
      m.tag(1, LEN).string(key);
      m.tag(2, LEN).string(value);
    });
  }
  return w.finish();
}

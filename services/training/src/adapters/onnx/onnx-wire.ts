/**
 * Reads, and surgically edits, an uploaded ONNX ModelProto at the protobuf wire level.
 *
 * Why not decode into objects and encode again (onnx-proto on npm): a decoder built from one
 * onnx.proto drops the fields it does not know, so a model from a newer exporter would be served
 * changed in ways nobody asked for. Here every field is copied byte for byte except the few that a
 * rewrite touches. Field numbers are onnx/onnx.proto's (proto2).
 */
import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';

export interface WireNode {
  opType: string;
  domain: string;
  name: string;
  inputs: string[];
  outputs: string[];
  ints: Record<string, number[]>;
  strings: Record<string, string[]>;
}

export interface OnnxSummary {
  irVersion: number;
  opsets: { domain: string; version: number }[];
  nodes: WireNode[];
  inputs: string[];
  outputs: string[];
}

type Field = { no: number; wt: WireType; raw: Uint8Array };

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Splits a message into its fields, each with its raw value bytes (length prefix included). */
function fields(bytes: Uint8Array): Field[] {
  const r = new BinaryReader(bytes);
  const out: Field[] = [];
  while (r.pos < r.len) {
    const [no, wt] = r.tag();
    if (no === 0) throw new Error('field number 0');
    out.push({ no, wt, raw: r.skip(wt, no) });
  }
  return out;
}

/** The payload of a length-delimited field. */
const payload = (f: Field) => new BinaryReader(f.raw).bytes();
const text = (f: Field) => decoder.decode(payload(f));
const varint = (f: Field) => Number(new BinaryReader(f.raw).int64());

function readNode(bytes: Uint8Array): WireNode {
  const node: WireNode = { opType: '', domain: '', name: '', inputs: [], outputs: [], ints: {}, strings: {} };
  for (const f of fields(bytes)) {
    if (f.no === 1) node.inputs.push(text(f));
    else if (f.no === 2) node.outputs.push(text(f));
    else if (f.no === 3) node.name = text(f);
    else if (f.no === 4) node.opType = text(f);
    else if (f.no === 7) node.domain = text(f);
    else if (f.no === 5) {
      const attr = fields(payload(f));
      const name = attr.find((a) => a.no === 1);
      if (!name) continue;
      const key = text(name);
      const ints: number[] = [];
      for (const a of attr.filter((x) => x.no === 8)) {
        // Repeated int64: one tag per element in proto2, but a packed run is legal too.
        if (a.wt === WireType.LengthDelimited) {
          const packed = new BinaryReader(payload(a));
          while (packed.pos < packed.len) ints.push(Number(packed.int64()));
        } else ints.push(varint(a));
      }
      const strings = attr.filter((x) => x.no === 9).map(text);
      if (ints.length) node.ints[key] = ints;
      if (strings.length) node.strings[key] = strings;
    }
  }
  return node;
}

const valueInfoName = (f: Field) => {
  const name = fields(payload(f)).find((x) => x.no === 1);
  return name ? text(name) : '';
};

/** What the model is made of; throws when the bytes are not a ModelProto with a graph. */
export function readOnnx(bytes: Uint8Array): OnnxSummary {
  const model = fields(bytes);
  const graph = model.find((f) => f.no === 7 && f.wt === WireType.LengthDelimited);
  const ir = model.find((f) => f.no === 1 && f.wt === WireType.Varint);
  if (!graph || !ir) throw new Error('no graph or IR version');
  const summary: OnnxSummary = { irVersion: varint(ir), opsets: [], nodes: [], inputs: [], outputs: [] };
  for (const f of model.filter((x) => x.no === 8)) {
    const o = fields(payload(f));
    const domain = o.find((x) => x.no === 1);
    const version = o.find((x) => x.no === 2);
    summary.opsets.push({ domain: domain ? text(domain) : '', version: version ? varint(version) : 0 });
  }
  for (const f of fields(payload(graph))) {
    if (f.no === 1) summary.nodes.push(readNode(payload(f)));
    else if (f.no === 11) summary.inputs.push(valueInfoName(f));
    else if (f.no === 12) summary.outputs.push(valueInfoName(f));
  }
  return summary;
}

export interface ZipMapRewrite {
  /** The graph output that was a sequence of maps and is now a float tensor [N, classes]. */
  output: string;
  /** The class labels ZipMap keyed its maps with, in column order. */
  classes: (string | number)[];
}

function writeFields(w: BinaryWriter, list: Field[]): void {
  for (const f of list) w.tag(f.no, f.wt).raw(f.raw);
}

function message(build: (w: BinaryWriter) => void): Uint8Array {
  const w = new BinaryWriter();
  build(w);
  return w.finish();
}

/** ValueInfoProto: `name`, tensor<float>[N, columns]. */
function floatMatrixInfo(name: string, columns: number): Uint8Array {
  const dim = (build: (w: BinaryWriter) => void) => message(build);
  const shape = message((w) => {
    w.tag(1, WireType.LengthDelimited).bytes(dim((d) => d.tag(2, WireType.LengthDelimited).string('N')));
    w.tag(1, WireType.LengthDelimited).bytes(dim((d) => d.tag(1, WireType.Varint).int64(columns)));
  });
  const tensorType = message((w) => {
    w.tag(1, WireType.Varint).int32(1); // FLOAT
    w.tag(2, WireType.LengthDelimited).bytes(shape);
  });
  const type = message((w) => w.tag(1, WireType.LengthDelimited).bytes(tensorType));
  return message((w) => {
    w.tag(1, WireType.LengthDelimited).string(name);
    w.tag(2, WireType.LengthDelimited).bytes(type);
  });
}

/**
 * skl2onnx and onnxmltools end classifiers in ZipMap, whose sequence-of-maps output
 * onnxruntime-node cannot return ("Non tensor type is temporarily not supported"). Each ZipMap
 * that produces a graph output becomes an Identity of the probability tensor it was fed, under the
 * same output name, now typed float [N, classes]; everything else is copied as it was.
 */
export function removeZipMaps(bytes: Uint8Array): { bytes: Uint8Array; rewrites: ZipMapRewrite[] } {
  const model = fields(bytes);
  const graphField = model.find((f) => f.no === 7)!;
  const graph = fields(payload(graphField));
  const outputs = new Set(graph.filter((f) => f.no === 12).map(valueInfoName));
  const rewrites: ZipMapRewrite[] = [];
  const newGraph = graph.map((f): Field => {
    if (f.no !== 1) return f;
    const node = readNode(payload(f));
    if (node.opType !== 'ZipMap' || node.outputs.length !== 1 || !outputs.has(node.outputs[0])) return f;
    const classes = node.ints.classlabels_int64s ?? node.strings.classlabels_strings ?? [];
    rewrites.push({ output: node.outputs[0], classes });
    const identity = message((w) => {
      w.tag(1, WireType.LengthDelimited).string(node.inputs[0]);
      w.tag(2, WireType.LengthDelimited).string(node.outputs[0]);
      w.tag(3, WireType.LengthDelimited).string(node.name || 'vigil_unzipmap');
      w.tag(4, WireType.LengthDelimited).string('Identity');
    });
    return { no: 1, wt: WireType.LengthDelimited, raw: message((w) => w.bytes(identity)) };
  });
  if (rewrites.length === 0) return { bytes, rewrites };
  const rewritten = newGraph.map((f): Field => {
    const zip = f.no === 12 ? rewrites.find((r) => r.output === valueInfoName(f)) : undefined;
    return zip ? { no: 12, wt: WireType.LengthDelimited, raw: message((w) => w.bytes(floatMatrixInfo(zip.output, zip.classes.length))) } : f;
  });
  const graphBytes = message((w) => writeFields(w, rewritten));
  // Identity lives in the default domain: a graph of ai.onnx.ml operators only may not import it.
  const importsDefault = readOnnx(bytes).opsets.some((o) => o.domain === '' || o.domain === 'ai.onnx');
  const out = message((w) => {
    for (const f of model) {
      if (f.no === 7) w.tag(7, WireType.LengthDelimited).bytes(graphBytes);
      else w.tag(f.no, f.wt).raw(f.raw);
    }
    if (!importsDefault) {
      w.tag(8, WireType.LengthDelimited).bytes(message((o) => o.tag(1, WireType.LengthDelimited).string('').tag(2, WireType.Varint).int64(13)));
    }
  });
  return { bytes: out, rewrites };
}

/**
 * @module onnx/serialize
 * Writes a Graph as an ONNX ModelProto (field numbers from onnx.proto). We encode it
 * ourselves rather than through onnx-proto: that package pins protobufjs 6 and copies
 * every tensor into JS objects, while this writer is ~150 lines, has no dependencies,
 * and hands weight buffers to the output without intermediate copies.
 */
import { Dim } from '../dims';
import { ONNX_DTYPE_CODE } from '../dtype';
import { Graph, Node, Value } from '../graph';
import { AttrValue } from '../op-def';
import { getOpDef } from '../ops';
import { Tensor } from '../tensor';
import { ProtoWriter } from './protobuf-writer';

/** The ONNX opset the engine targets (Gelu needs 20). */
export const OPSET = 20;
/** ONNX IR version matching opset 20. */
export const IR_VERSION = 9;

const ATTR_TYPE = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7 } as const;

export interface SerializeOptions {
  producerName?: string;
  producerVersion?: string;
  docString?: string;
}

/** Serializes `graph` to the bytes of an ONNX model file. */
export function serializeModel(graph: Graph, options: SerializeOptions = {}): Uint8Array {
  const model = new ProtoWriter()
    .int(1, IR_VERSION)
    .string(2, options.producerName ?? 'carve')
    .string(3, options.producerVersion ?? '0.1.0');
  if (options.docString) model.string(6, options.docString);
  model.message(7, graphProto(graph));
  model.message(8, new ProtoWriter().string(1, '').int(2, OPSET));
  return model.finish();
}

function graphProto(graph: Graph): ProtoWriter {
  const w = new ProtoWriter();
  for (const node of graph.nodes) w.message(1, nodeProto(node));
  w.string(2, graph.name);
  for (const [value, tensor] of graph.initializers) w.message(5, tensorProto(value.name, tensor));
  for (const input of graph.inputs) w.message(11, valueInfo(input));
  for (const output of graph.outputs) w.message(12, valueInfo(output));
  return w;
}

function nodeProto(node: Node): ProtoWriter {
  const w = new ProtoWriter();
  for (const input of node.inputs) w.string(1, input ? input.name : '');
  for (const output of node.outputs) w.string(2, output.name);
  w.string(3, node.name);
  w.string(4, node.op);
  const types = getOpDef(node.op)?.attributes ?? {};
  for (const [name, value] of Object.entries(node.attrs)) w.message(5, attribute(name, types[name], value));
  return w;
}

function attribute(name: string, type: keyof typeof ATTR_TYPE | undefined, value: AttrValue): ProtoWriter {
  const w = new ProtoWriter().string(1, name);
  switch (type) {
    case 'float':
      return w.float(2, value as number).int(20, ATTR_TYPE.float);
    case 'int':
      return w.int(3, value as number).int(20, ATTR_TYPE.int);
    case 'string':
      return w.string(4, value as string).int(20, ATTR_TYPE.string);
    case 'tensor':
      return w.message(5, tensorProto('', value as Tensor)).int(20, ATTR_TYPE.tensor);
    case 'floats':
      return w.packedFloats(7, value as number[]).int(20, ATTR_TYPE.floats);
    case 'ints':
      return w.packedInts(8, value as number[]).int(20, ATTR_TYPE.ints);
  }
  throw new Error(`attribute '${name}' has no declared type`);
}

/** A TensorProto with the data as little-endian raw bytes (a view, not a copy). */
export function tensorProto(name: string, tensor: Tensor): ProtoWriter {
  const w = new ProtoWriter().packedInts(1, tensor.shape).int(2, ONNX_DTYPE_CODE[tensor.dtype]);
  if (name) w.string(8, name);
  const data = tensor.data;
  return w.bytes(9, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

function valueInfo(value: Value): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of value.shape) shape.message(1, dimension(d));
  const tensorType = new ProtoWriter().int(1, ONNX_DTYPE_CODE[value.dtype]).message(2, shape);
  return new ProtoWriter().string(1, value.name).message(2, new ProtoWriter().message(1, tensorType));
}

function dimension(d: Dim): ProtoWriter {
  return typeof d === 'number' ? new ProtoWriter().int(1, d) : new ProtoWriter().string(2, d);
}

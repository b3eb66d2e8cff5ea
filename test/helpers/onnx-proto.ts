/**
 * A small hand-made ONNX (protobuf) encoder for tests: enough of onnx.proto3 to write graphs of a
 * few standard operators with float and int64 initializers, so plug-in tests load a real model
 * through onnxruntime-node without downloading one.
 */

type Field = Uint8Array;

function varint(n: number | bigint): number[] {
  let v = BigInt(n);
  if (v < 0n) v += 1n << 64n;
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Wire type 0 (varint). */
function int(field: number, v: number | bigint): Field {
  return new Uint8Array([...varint(field << 3), ...varint(v)]);
}
/** Wire type 2 (length-delimited): strings, bytes, sub-messages. */
function bytes(field: number, v: Uint8Array | string): Field {
  const b = typeof v === 'string' ? new TextEncoder().encode(v) : v;
  return concat([new Uint8Array([...varint((field << 3) | 2), ...varint(b.length)]), b]);
}
/** Wire type 5 (32-bit float). */
function float(field: number, v: number): Field {
  const b = new Uint8Array(5);
  b[0] = (field << 3) | 5;
  new DataView(b.buffer).setFloat32(1, v, true);
  return b;
}
function msg(...fields: Field[]): Uint8Array {
  return concat(fields);
}

const FLOAT = 1;
const INT64 = 7;

export type Dim = number | string;

/** A graph input or output: float32 tensor of these dims (numbers fixed, strings symbolic). */
export function valueInfo(name: string, dims: readonly Dim[], elemType = FLOAT): Uint8Array {
  const shape = msg(...dims.map((d) => bytes(1, typeof d === 'number' ? msg(int(1, d)) : msg(bytes(2, d)))));
  return msg(bytes(1, name), bytes(2, msg(bytes(1, msg(int(1, elemType), bytes(2, shape))))));
}

export function floatTensor(name: string, dims: readonly number[], values: readonly number[]): Uint8Array {
  const raw = new Uint8Array(new Float32Array(values).buffer);
  return msg(...dims.map((d) => int(1, d)), int(2, FLOAT), bytes(8, name), bytes(9, raw));
}

export function int64Tensor(name: string, dims: readonly number[], values: readonly number[]): Uint8Array {
  const raw = new Uint8Array(new BigInt64Array(values.map((v) => BigInt(v))).buffer);
  return msg(...dims.map((d) => int(1, d)), int(2, INT64), bytes(8, name), bytes(9, raw));
}

export type Attr = { name: string; int: number } | { name: string; ints: number[] } | { name: string; float: number };

function attribute(a: Attr): Uint8Array {
  // AttributeProto: name 1, f 2, i 3, ints 8, type 20 (FLOAT 1, INT 2, INTS 7).
  if ('int' in a) return msg(bytes(1, a.name), int(3, a.int), int(20, 2));
  if ('float' in a) return msg(bytes(1, a.name), float(2, a.float), int(20, 1));
  return msg(bytes(1, a.name), ...a.ints.map((v) => int(8, v)), int(20, 7));
}

export function node(op: string, inputs: string[], outputs: string[], attrs: Attr[] = []): Uint8Array {
  return msg(
    ...inputs.map((i) => bytes(1, i)),
    ...outputs.map((o) => bytes(2, o)),
    bytes(3, `${op}_${outputs[0]}`),
    bytes(4, op),
    ...attrs.map((a) => bytes(5, attribute(a))),
  );
}

/** ModelProto (IR 8, default opset 13) of one graph. */
export function onnxModel(g: {
  nodes: Uint8Array[];
  initializers?: Uint8Array[];
  inputs: Uint8Array[];
  outputs: Uint8Array[];
}): Uint8Array {
  const graph = msg(
    ...g.nodes.map((n) => bytes(1, n)),
    bytes(2, 'test-graph'),
    ...(g.initializers ?? []).map((t) => bytes(5, t)),
    ...g.inputs.map((i) => bytes(11, i)),
    ...g.outputs.map((o) => bytes(12, o)),
  );
  return msg(int(1, 8), bytes(2, 'msec-test'), bytes(7, graph), bytes(8, msg(bytes(1, ''), int(2, 13))));
}

/**
 * Builds tiny ONNX models for tests, encoding the protobuf by hand: a graph that takes an image
 * input and returns a fixed YOLO-pose-shaped output. Enough to exercise onnxruntime-node, the
 * fetch-and-verify path and the output decoding, without downloading a real model.
 */

function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v > 127) {
    out.push((v & 127) | 128);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

const key = (field: number, wire: number): number[] => varint(field * 8 + wire);
const int = (field: number, value: number): number[] => [...key(field, 0), ...varint(value)];
const bytes = (field: number, data: Uint8Array | number[]): number[] => [
  ...key(field, 2),
  ...varint(data.length),
  ...data,
];
const text = (field: number, value: string): number[] =>
  bytes(field, [...new TextEncoder().encode(value)]);

function valueInfo(name: string, dims: readonly number[]): number[] {
  const shape = dims.flatMap((d) => bytes(1, int(1, d)));
  const tensorType = [...int(1, 1), ...bytes(2, shape)];
  return [...text(1, name), ...bytes(2, bytes(1, tensorType))];
}

/**
 * An ONNX model with input `images` [1, 3, size, size] whose output `output0` is always
 * `values` with shape [1, 56, values.length / 56] (the input is read and multiplied by zero).
 */
export function constantPoseModel(size: number, values: Float32Array): Uint8Array {
  const candidates = values.length / 56;
  const raw = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const initializer = [
    ...int(1, 1),
    ...int(1, 56),
    ...int(1, candidates),
    ...int(2, 1),
    ...text(8, 'poses'),
    ...bytes(9, [...raw]),
  ];
  const zero = [...int(2, 1), ...text(8, 'zero'), ...bytes(9, [0, 0, 0, 0])];
  // output0 = poses + ReduceSum(images) * 0: the output depends on the input, as real ones do.
  const nodes = [
    [
      ...text(1, 'images'),
      ...text(2, 'sum'),
      ...text(4, 'ReduceSum'),
      // keepdims = 0: a scalar, so that the sum broadcasts without adding dimensions.
      ...bytes(5, [...text(1, 'keepdims'), ...int(3, 0), ...int(20, 2)]),
    ],
    [...text(1, 'sum'), ...text(1, 'zero'), ...text(2, 'nothing'), ...text(4, 'Mul')],
    [...text(1, 'poses'), ...text(1, 'nothing'), ...text(2, 'output0'), ...text(4, 'Add')],
  ];
  const graph = [
    ...nodes.flatMap((n) => bytes(1, n)),
    ...text(2, 'vigie-test'),
    ...bytes(5, initializer),
    ...bytes(5, zero),
    ...bytes(11, valueInfo('images', [1, 3, size, size])),
    ...bytes(12, valueInfo('output0', [1, 56, candidates])),
  ];
  return new Uint8Array([
    ...int(1, 8),
    ...bytes(7, graph),
    ...bytes(8, [...text(1, ''), ...int(2, 13)]),
  ]);
}

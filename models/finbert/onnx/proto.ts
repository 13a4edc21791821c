import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';

/**
 * ONNX protobuf messages through protobufjs and the schema subset in ./onnx.proto. Used to write
 * the fixture BERT models (scripts/fixtures) and to expose the pooled output of an exported
 * classifier (./surgery.ts). Field names keep ONNX's snake_case so they read like the spec.
 */

/** ONNX TensorProto.DataType values finsent uses. */
export const DataType = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  INT32: 6,
  INT64: 7,
  FLOAT16: 10,
} as const;

/** AttributeProto.AttributeType values. */
export const AttributeType = {
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  TENSOR: 4,
  FLOATS: 6,
  INTS: 7,
} as const;

/** protobufjs decodes int64 as Long objects (or numbers when small); both convert with toNumber. */
export type Int64 = number | { toNumber(): number };

export interface TensorProto {
  name?: string;
  dims?: Int64[];
  data_type?: number;
  raw_data?: Uint8Array;
  float_data?: number[];
  int32_data?: number[];
  int64_data?: Int64[];
}

export interface AttributeProto {
  name: string;
  type: number;
  f?: number;
  i?: Int64;
  s?: Uint8Array;
  t?: TensorProto;
  floats?: number[];
  ints?: Int64[];
}

export interface NodeProto {
  input: string[];
  output: string[];
  name?: string;
  op_type: string;
  domain?: string;
  attribute?: AttributeProto[];
}

export interface DimensionProto {
  dim_value?: Int64;
  dim_param?: string;
}

export interface ValueInfoProto {
  name: string;
  type?: { tensor_type?: { elem_type?: number; shape?: { dim?: DimensionProto[] } } };
}

export interface GraphProto {
  name?: string;
  node: NodeProto[];
  initializer?: TensorProto[];
  input?: ValueInfoProto[];
  output?: ValueInfoProto[];
  value_info?: ValueInfoProto[];
}

export interface ModelProto {
  ir_version?: Int64;
  opset_import?: { domain?: string; version?: Int64 }[];
  producer_name?: string;
  producer_version?: string;
  doc_string?: string;
  graph?: GraphProto;
  metadata_props?: { key?: string; value?: string }[];
}

let modelType: protobuf.Type | undefined;

function onnxModelType(): protobuf.Type {
  if (!modelType) {
    const source = readFileSync(new URL('./onnx.proto', import.meta.url), 'utf8');
    const { root } = protobuf.parse(source, { keepCase: true });
    modelType = root.lookupType('onnx.ModelProto');
  }
  return modelType;
}

export function toNumber(value: Int64 | undefined): number {
  if (value === undefined) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}

/** Serialises a model; plain objects following the interfaces above are accepted. */
export function encodeModel(model: ModelProto): Uint8Array {
  const type = onnxModelType();
  return type.encode(type.fromObject(model as Record<string, unknown>)).finish();
}

/** Decodes an .onnx file's bytes. Tensor bytes stay views into `bytes` (no copy). */
export function decodeModel(bytes: Uint8Array): ModelProto {
  return onnxModelType().decode(bytes) as unknown as ModelProto;
}

/** Bytes of a decoded message as written back: used to check a round trip loses nothing. */
export function encodeDecoded(model: ModelProto): Uint8Array {
  const type = onnxModelType();
  return type.encode(model as unknown as protobuf.Message).finish();
}

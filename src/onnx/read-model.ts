/**
 * Reading an ONNX file back, as a hostile input: the file's size is bounded before it is read, protobuf lengths
 * are checked against the bytes there are (a header claiming 2 GB is a truncated file, not an allocation), and the
 * decoded model is checked by a zod schema with bounds on every list, name and shape before anything uses it.
 */
import { readFileSync, statSync } from "node:fs";
import { z } from "zod";
import { UserError } from "../core/errors.js";
import { firstProblem } from "../config/validate.js";
import { ModelProto } from "./onnx-schema.js";

/** The largest ONNX file peerlearn reads (a policy MLP is a few MB). */
export const MAX_ONNX_BYTES = 256 << 20;
/** The most floats one tensor may hold (64M: 256 MB). */
const MAX_ELEMENTS = 1 << 26;

/** A name from the file: bounded, and printable (messages repeat names). */
const printableText = (max: number) =>
  z
    .string()
    .max(max)
    .refine((text) => [...text].every((c) => c >= " " && (c < "\u007f" || c > "\u009f")), "printable characters only");
const name = printableText(1024);
const dims = z.array(z.number().int().min(0).max(MAX_ELEMENTS)).max(8);

const TensorSchema = z.object({
  name: name.optional(),
  dims: dims.optional(),
  dataType: z.number().int().optional(),
  floatData: z.array(z.number()).max(MAX_ELEMENTS).optional(),
  int64Data: z.array(z.number()).max(1024).optional(),
  rawData: z.instanceof(Uint8Array).optional(),
  externalData: z
    .array(z.object({ key: name.optional(), value: name.optional() }))
    .max(16)
    .optional(),
  dataLocation: z.number().int().optional(),
});
export type TensorData = z.infer<typeof TensorSchema>;

const AttributeSchema = z.object({
  name,
  type: z.number().int().optional(),
  f: z.number().optional(),
  i: z.number().optional(),
  ints: z.array(z.number()).max(64).optional(),
  floats: z.array(z.number()).max(64).optional(),
  t: TensorSchema.optional(),
  g: z.unknown().optional(),
  graphs: z.array(z.unknown()).max(0, "subgraphs are not read").optional(),
});
export type AttributeData = z.infer<typeof AttributeSchema>;

const NodeSchema = z.object({
  input: z.array(name).max(16).default([]),
  output: z.array(name).max(16).default([]),
  name: name.optional(),
  opType: printableText(128),
  domain: printableText(256).optional(),
  attribute: z.array(AttributeSchema).max(64).default([]),
});
export type NodeData = z.infer<typeof NodeSchema>;

const ValueInfoSchema = z.object({
  name,
  type: z
    .object({
      tensorType: z
        .object({
          elemType: z.number().int().optional(),
          shape: z
            .object({
              dim: z
                .array(z.object({ dimValue: z.number().int().optional(), dimParam: printableText(256).optional() }))
                .max(8)
                .default([]),
            })
            .optional(),
        })
        .optional(),
    })
    .optional(),
});
export type ValueInfoData = z.infer<typeof ValueInfoSchema>;

const ModelSchema = z.object({
  irVersion: z.number().int().optional(),
  opsetImport: z
    .array(z.object({ domain: z.string().max(256).optional(), version: z.number().int().optional() }))
    .max(16)
    .default([]),
  producerName: z.string().max(1024).optional(),
  metadataProps: z
    .array(z.object({ key: name.optional(), value: z.string().max(65536).optional() }))
    .max(256)
    .default([]),
  graph: z.object({
    node: z.array(NodeSchema).max(10_000).default([]),
    initializer: z.array(TensorSchema).max(10_000).default([]),
    input: z.array(ValueInfoSchema).max(10_000).default([]),
    output: z.array(ValueInfoSchema).max(64).default([]),
  }),
});
export type ModelData = z.infer<typeof ModelSchema>;

/** An ONNX file's model, checked; one line naming the file and the problem otherwise. */
export function readOnnxModel(path: string): ModelData {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (e) {
    throw new UserError(`cannot read ${path}: ${(e as Error).message}`);
  }
  if (size > MAX_ONNX_BYTES)
    throw new UserError(`${path} is ${size} bytes; peerlearn reads ONNX policies of at most ${MAX_ONNX_BYTES} bytes`);
  return decodeOnnxModel(readFileSync(path), path);
}

/** The model in `bytes` (named `what` in messages), checked. */
export function decodeOnnxModel(bytes: Uint8Array, what: string): ModelData {
  let decoded: object;
  try {
    decoded = ModelProto.toObject(ModelProto.decode(bytes), { longs: Number, arrays: true });
  } catch (e) {
    throw new UserError(`${what} is not an ONNX model (truncated or damaged: ${(e as Error).message.split("\n")[0]})`);
  }
  const parsed = ModelSchema.safeParse(decoded);
  if (!parsed.success)
    throw new UserError(`${what} is not an ONNX model peerlearn reads: ${firstProblem(parsed.error, decoded)}`);
  return parsed.data;
}

/** A float tensor's values (raw little-endian data or float_data), checked against its dims. */
export function floatsOf(t: TensorData, what: string): Float32Array {
  if (t.dataLocation === 1 || (t.externalData?.length ?? 0) > 0)
    throw new UserError(
      `${what}: tensor ${t.name ?? "?"} keeps its data in an external file (not read: save the model with its weights inside)`,
    );
  if (t.dataType !== 1)
    throw new UserError(`${what}: tensor ${t.name ?? "?"} is not float32 (data type ${t.dataType ?? "none"})`);
  const count = (t.dims ?? []).reduce((a, b) => a * b, 1);
  if (count > MAX_ELEMENTS) throw new UserError(`${what}: tensor ${t.name ?? "?"} claims ${count} numbers`);
  if (t.rawData && t.rawData.length > 0) {
    if (t.rawData.length !== count * 4)
      throw new UserError(
        `${what}: tensor ${t.name ?? "?"} has ${t.rawData.length} bytes for ${count} float32 numbers`,
      );
    const copy = new Uint8Array(t.rawData); // a copy at offset 0 (a Buffer's slice would be a view into its pool)
    return new Float32Array(copy.buffer, copy.byteOffset, count);
  }
  const values = t.floatData ?? [];
  if (values.length !== count)
    throw new UserError(
      `${what}: tensor ${t.name ?? "?"} has ${values.length} numbers for shape [${(t.dims ?? []).join(", ")}]`,
    );
  return Float32Array.from(values);
}

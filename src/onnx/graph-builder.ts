/**
 * Builds an ONNX model (onnx-schema.ts) node by node: float constants as initializers, nodes with attributes,
 * named float inputs and outputs with a dynamic batch dimension, opset 17 (IR version 8), metadata.
 */
import { AttributeType, DataType, ModelProto } from "./onnx-schema.js";

/** ONNX's default operator set version peerlearn writes, and the IR version that goes with it. */
export const OPSET = 17;
const IR_VERSION = 8;

export interface Attribute {
  readonly name: string;
  readonly type: number;
  readonly i?: number;
  readonly f?: number;
}

export const intAttribute = (name: string, i: number): Attribute => ({ name, type: AttributeType.INT, i });

/** A graph value of the model's interface: its name, element type and shape ("batch" for the batch dimension). */
export interface GraphValue {
  readonly name: string;
  readonly elemType: number;
  readonly shape: readonly (number | "batch")[];
}

export const floatValue = (name: string, ...shape: (number | "batch")[]): GraphValue => ({
  name,
  elemType: DataType.FLOAT,
  shape,
});

export class GraphBuilder {
  private readonly nodes: object[] = [];
  private readonly initializers: object[] = [];
  private count = 0;

  /** A float constant of shape `dims`; its name. */
  constant(prefix: string, dims: readonly number[], data: Float32Array): string {
    const name = `${prefix}_${this.count++}`;
    const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
    this.initializers.push({ name, dims: [...dims], dataType: DataType.FLOAT, rawData: raw });
    return name;
  }

  /** A scalar float constant. */
  scalar(prefix: string, value: number): string {
    return this.constant(prefix, [], Float32Array.of(value));
  }

  /** A node of `op`; its output's name (`output` when given, else a fresh one). */
  node(op: string, inputs: readonly string[], attributes: readonly Attribute[] = [], output?: string): string {
    const out = output ?? `${op.toLowerCase()}_${this.count++}`;
    this.nodes.push({
      opType: op,
      name: `${op}_${this.count++}`,
      input: [...inputs],
      output: [out],
      attribute: attributes,
    });
    return out;
  }

  /** The model's bytes. */
  encode(
    inputs: readonly GraphValue[],
    outputs: readonly GraphValue[],
    metadata: Readonly<Record<string, string>>,
    producerVersion: string,
  ): Uint8Array {
    const value = (v: GraphValue) => ({
      name: v.name,
      type: {
        tensorType: {
          elemType: v.elemType,
          shape: { dim: v.shape.map((d) => (d === "batch" ? { dimParam: "batch" } : { dimValue: d })) },
        },
      },
    });
    const model = ModelProto.fromObject({
      irVersion: IR_VERSION,
      producerName: "peerlearn",
      producerVersion,
      opsetImport: [{ domain: "", version: OPSET }],
      graph: {
        name: "peerlearn_policy",
        node: this.nodes,
        initializer: this.initializers,
        input: inputs.map(value),
        output: outputs.map(value),
      },
      metadataProps: Object.entries(metadata).map(([key, v]) => ({ key, value: v })),
    });
    return ModelProto.encode(model).finish();
  }
}

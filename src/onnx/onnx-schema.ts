/**
 * The part of ONNX's protobuf schema (onnx/onnx.proto, IR version 8) that peerlearn writes and reads: a model, its
 * graph of nodes with attributes, tensors, value infos with shapes, opset imports and metadata. Field numbers
 * and enum values are ONNX's; protobufjs encodes and decodes them.
 */
import protobuf from "protobufjs";

/** TensorProto.DataType values peerlearn uses. */
export const DataType = { FLOAT: 1, INT64: 7 } as const;

/** AttributeProto.AttributeType values peerlearn uses. */
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 } as const;

const field = (type: string, id: number, rule?: "repeated") => ({ type, id, ...(rule ? { rule } : {}) });

const root = protobuf.Root.fromJSON({
  nested: {
    onnx: {
      nested: {
        AttributeProto: {
          fields: {
            name: field("string", 1),
            f: field("float", 2),
            i: field("int64", 3),
            s: field("bytes", 4),
            t: field("TensorProto", 5),
            g: field("GraphProto", 6),
            floats: field("float", 7, "repeated"),
            ints: field("int64", 8, "repeated"),
            strings: field("bytes", 9, "repeated"),
            tensors: field("TensorProto", 10, "repeated"),
            graphs: field("GraphProto", 11, "repeated"),
            docString: field("string", 13),
            type: field("int32", 20),
            refAttrName: field("string", 21),
          },
        },
        ValueInfoProto: {
          fields: { name: field("string", 1), type: field("TypeProto", 2), docString: field("string", 3) },
        },
        NodeProto: {
          fields: {
            input: field("string", 1, "repeated"),
            output: field("string", 2, "repeated"),
            name: field("string", 3),
            opType: field("string", 4),
            attribute: field("AttributeProto", 5, "repeated"),
            docString: field("string", 6),
            domain: field("string", 7),
          },
        },
        ModelProto: {
          fields: {
            irVersion: field("int64", 1),
            producerName: field("string", 2),
            producerVersion: field("string", 3),
            domain: field("string", 4),
            modelVersion: field("int64", 5),
            docString: field("string", 6),
            graph: field("GraphProto", 7),
            opsetImport: field("OperatorSetIdProto", 8, "repeated"),
            metadataProps: field("StringStringEntryProto", 14, "repeated"),
          },
        },
        StringStringEntryProto: { fields: { key: field("string", 1), value: field("string", 2) } },
        GraphProto: {
          fields: {
            node: field("NodeProto", 1, "repeated"),
            name: field("string", 2),
            initializer: field("TensorProto", 5, "repeated"),
            docString: field("string", 10),
            input: field("ValueInfoProto", 11, "repeated"),
            output: field("ValueInfoProto", 12, "repeated"),
            valueInfo: field("ValueInfoProto", 13, "repeated"),
          },
        },
        TensorProto: {
          fields: {
            dims: field("int64", 1, "repeated"),
            dataType: field("int32", 2),
            floatData: { ...field("float", 4, "repeated"), options: { packed: true } },
            int32Data: { ...field("int32", 5, "repeated"), options: { packed: true } },
            int64Data: { ...field("int64", 7, "repeated"), options: { packed: true } },
            name: field("string", 8),
            rawData: field("bytes", 9),
            docString: field("string", 12),
            externalData: field("StringStringEntryProto", 13, "repeated"),
            dataLocation: field("int32", 14),
            doubleData: { ...field("double", 10, "repeated"), options: { packed: true } },
          },
        },
        TensorShapeProto: {
          fields: { dim: field("Dimension", 1, "repeated") },
          nested: {
            Dimension: {
              oneofs: { value: { oneof: ["dimValue", "dimParam"] } },
              fields: { dimValue: field("int64", 1), dimParam: field("string", 2), denotation: field("string", 3) },
            },
          },
        },
        TypeProto: {
          oneofs: { value: { oneof: ["tensorType"] } },
          fields: { tensorType: field("Tensor", 1), denotation: field("string", 6) },
          nested: {
            Tensor: { fields: { elemType: field("int32", 1), shape: field("TensorShapeProto", 2) } },
          },
        },
        OperatorSetIdProto: { fields: { domain: field("string", 1), version: field("int64", 2) } },
      },
    },
  },
});

export const ModelProto = root.lookupType("onnx.ModelProto");

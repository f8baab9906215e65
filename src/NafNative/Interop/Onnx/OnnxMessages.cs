using System.Runtime.InteropServices;

namespace NafNative.Interop.Onnx;

/// <summary>The ONNX messages an exported policy needs, encoded with the field numbers of onnx/onnx.proto
/// (ModelProto, GraphProto, NodeProto, TensorProto, ValueInfoProto, TypeProto, TensorShapeProto).</summary>
internal static class OnnxMessages
{
    /// <summary>TensorProto.DataType FLOAT.</summary>
    public const int Float = 1;

    // ModelProto { int64 ir_version = 1; string producer_name = 2; string producer_version = 3; string doc_string = 6;
    // GraphProto graph = 7; repeated OperatorSetIdProto opset_import = 8; repeated StringStringEntryProto metadata_props = 14; }
    // OperatorSetIdProto { string domain = 1; int64 version = 2; }  StringStringEntryProto { string key = 1; string value = 2; }
    public static ProtoMessage Model(long irVersion, long opset, string producer, string producerVersion, string doc, ProtoMessage graph,
        IEnumerable<KeyValuePair<string, string>> metadata)
    {
        var model = new ProtoMessage().Int64(1, irVersion).String(2, producer).String(3, producerVersion).String(6, doc)
            .Message(7, graph).Message(8, new ProtoMessage().String(1, "").Int64(2, opset));
        foreach (var (key, value) in metadata) model.Message(14, new ProtoMessage().String(1, key).String(2, value));
        return model;
    }

    // GraphProto { repeated NodeProto node = 1; string name = 2; repeated TensorProto initializer = 5;
    // repeated ValueInfoProto input = 11; repeated ValueInfoProto output = 12; }
    public static ProtoMessage Graph(string name, IEnumerable<ProtoMessage> nodes, IEnumerable<ProtoMessage> initializers, ProtoMessage input, ProtoMessage output)
    {
        var graph = new ProtoMessage();
        foreach (var node in nodes) graph.Message(1, node);
        graph.String(2, name);
        foreach (var tensor in initializers) graph.Message(5, tensor);
        return graph.Message(11, input).Message(12, output);
    }

    // NodeProto { repeated string input = 1; repeated string output = 2; string name = 3; string op_type = 4; }
    public static ProtoMessage Node(string opType, string name, string output, params string[] inputs)
    {
        var node = new ProtoMessage();
        foreach (string input in inputs) node.String(1, input);
        return node.String(2, output).String(3, name).String(4, opType);
    }

    // TensorProto { repeated int64 dims = 1; int32 data_type = 2; string name = 8; bytes raw_data = 9; }
    // raw_data is the values in little-endian order, which this engine's floats already are on every platform it runs on.
    public static ProtoMessage FloatTensor(string name, ReadOnlySpan<float> values, params long[] dims)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX export writes raw little-endian floats.");
        var tensor = new ProtoMessage();
        foreach (long d in dims) tensor.Int64(1, d);
        return tensor.Int64(2, Float).String(8, name).Bytes(9, MemoryMarshal.AsBytes(values));
    }

    // ValueInfoProto { string name = 1; TypeProto type = 2; }  TypeProto { Tensor tensor_type = 1; }
    // TypeProto.Tensor { int32 elem_type = 1; TensorShapeProto shape = 2; }  TensorShapeProto { repeated Dimension dim = 1; }
    // Dimension { int64 dim_value = 1; string dim_param = 2; }
    /// <summary>A float tensor of shape [<paramref name="batchName"/>, <paramref name="width"/>]: a named (free) batch
    /// dimension and a fixed feature width.</summary>
    public static ProtoMessage BatchedFloat(string name, string batchName, long width)
    {
        var shape = new ProtoMessage().Message(1, new ProtoMessage().String(2, batchName)).Message(1, new ProtoMessage().Int64(1, width));
        var type = new ProtoMessage().Message(1, new ProtoMessage().Int64(1, Float).Message(2, shape));
        return new ProtoMessage().String(1, name).Message(2, type);
    }
}

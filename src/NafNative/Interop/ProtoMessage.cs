using Google.Protobuf;

namespace NafNative.Interop;

/// <summary>A protocol-buffer message built field by field with Google.Protobuf's wire writer, for the few foreign
/// schemas the engine writes (TensorBoard events, ONNX models) without generated classes.</summary>
/// <remarks>Field numbers and wire types are the caller's (each names the .proto it follows). Nested messages are
/// built first and embedded with <see cref="Message"/>. Not for hot paths: every call may allocate.</remarks>
public sealed class ProtoMessage
{
    private readonly MemoryStream _buffer = new();
    private readonly CodedOutputStream _out;

    public ProtoMessage() => _out = new CodedOutputStream(_buffer, leaveOpen: true);

    public ProtoMessage Double(int field, double value)
    {
        _out.WriteTag(field, WireFormat.WireType.Fixed64);
        _out.WriteDouble(value);
        return this;
    }

    public ProtoMessage Float(int field, float value)
    {
        _out.WriteTag(field, WireFormat.WireType.Fixed32);
        _out.WriteFloat(value);
        return this;
    }

    /// <summary>int64 / int32 / enum fields (varint).</summary>
    public ProtoMessage Int64(int field, long value)
    {
        _out.WriteTag(field, WireFormat.WireType.Varint);
        _out.WriteInt64(value);
        return this;
    }

    public ProtoMessage String(int field, string value)
    {
        _out.WriteTag(field, WireFormat.WireType.LengthDelimited);
        _out.WriteString(value);
        return this;
    }

    public ProtoMessage Bytes(int field, ReadOnlySpan<byte> value)
    {
        _out.WriteTag(field, WireFormat.WireType.LengthDelimited);
        _out.WriteBytes(ByteString.CopyFrom(value));
        return this;
    }

    public ProtoMessage Message(int field, ProtoMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Bytes(field, message.ToArray());
    }

    /// <summary>The encoded message so far.</summary>
    public byte[] ToArray()
    {
        _out.Flush();
        return _buffer.ToArray();
    }
}

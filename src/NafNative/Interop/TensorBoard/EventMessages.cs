namespace NafNative.Interop.TensorBoard;

/// <summary>TensorBoard's Event and Summary messages, encoded with the field numbers of
/// tensorboard/compat/proto/event.proto, summary.proto and tensor.proto.</summary>
internal static class EventMessages
{
    /// <summary>The version every event file opens with (event.proto: "Current version is brain.Event:2").</summary>
    public const string FileVersion = "brain.Event:2";

    // event.proto: Event { double wall_time = 1; int64 step = 2; oneof what { string file_version = 3; Summary summary = 5; } }
    private const int WallTime = 1, Step = 2, FileVersionField = 3, SummaryField = 5;
    // summary.proto: Summary { repeated Value value = 1; } Value { string tag = 1; float simple_value = 2;
    // TensorProto tensor = 8; SummaryMetadata metadata = 9; } SummaryMetadata { PluginData plugin_data = 1; }
    // PluginData { string plugin_name = 1; bytes content = 2; }
    private const int SummaryValue = 1, Tag = 1, SimpleValue = 2, Tensor = 8, Metadata = 9, PluginData = 1, PluginName = 1;
    // tensor.proto: TensorProto { DataType dtype = 1; TensorShapeProto tensor_shape = 2; repeated bytes string_val = 8; }
    private const int Dtype = 1, TensorShape = 2, StringVal = 8, DtString = 7;

    public static byte[] FileVersionEvent(double wallTime) =>
        new ProtoMessage().Double(WallTime, wallTime).Int64(Step, 0).String(FileVersionField, FileVersion).ToArray();

    /// <summary>One event holding every (tag, value) pair as a scalar at <paramref name="step"/>; NaN values are left
    /// out (metrics.csv leaves them empty: no episode finished yet).</summary>
    public static byte[] ScalarsEvent(double wallTime, long step, ReadOnlySpan<(string Tag, double Value)> values)
    {
        var summary = new ProtoMessage();
        foreach (var (tag, value) in values)
            if (!double.IsNaN(value))
                summary.Message(SummaryValue, new ProtoMessage().String(Tag, tag).Float(SimpleValue, (float)value));
        return Event(wallTime, step, summary);
    }

    /// <summary>A text summary as TensorBoard's text plugin reads it: a scalar DT_STRING tensor whose metadata names
    /// the "text" plugin (its content, TextPluginData version 0, is the empty message). The text is Markdown.</summary>
    public static byte[] TextEvent(double wallTime, long step, string tag, string markdown)
    {
        var tensor = new ProtoMessage().Int64(Dtype, DtString).Message(TensorShape, new ProtoMessage())
            .Bytes(StringVal, System.Text.Encoding.UTF8.GetBytes(markdown));
        var metadata = new ProtoMessage().Message(PluginData, new ProtoMessage().String(PluginName, "text"));
        var value = new ProtoMessage().String(Tag, tag).Message(Metadata, metadata).Message(Tensor, tensor);
        return Event(wallTime, step, new ProtoMessage().Message(SummaryValue, value));
    }

    private static byte[] Event(double wallTime, long step, ProtoMessage summary) =>
        new ProtoMessage().Double(WallTime, wallTime).Int64(Step, step).Message(SummaryField, summary).ToArray();
}

using NafNative.Naf;

namespace NafNative.Interop.Onnx;

/// <summary>The greedy NAF policy μ(x) as an ONNX model: input "observation" [batch, obs] float, output "action"
/// [batch, act] float, the same function as <see cref="NafPolicy.Greedy(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/>.</summary>
/// <remarks>The network's body is MatMul → Add → Relu per hidden layer; of the output layer only the μ columns
/// [1, 1+act) of [V | μ | L] are kept, then Tanh (<see cref="NafNetwork"/>, <c>NafAdvantage.GreedyAction</c>).
/// Observations enter the network as the task gives them (the engine does not normalise them), so there is nothing
/// to fold in. Opset 17, IR version 8 (ONNX 1.12 and later; ONNX Runtime ≥ 1.12).</remarks>
public static class OnnxPolicy
{
    public const string InputName = "observation", OutputName = "action", BatchDimension = "batch";
    public const long IrVersion = 8, Opset = 17;

    /// <summary>The model's bytes for <paramref name="network"/> with <paramref name="parameters"/> (its flat vector).</summary>
    public static byte[] Build(NafNetwork network, ReadOnlySpan<float> parameters, IEnumerable<KeyValuePair<string, string>>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (parameters.Length != network.ParameterCount)
            throw new ArgumentException($"OnnxPolicy.Build: parameters [{parameters.Length}] do not match the network's [{network.ParameterCount}].", nameof(parameters));
        var body = network.Body;
        int act = network.ActionSize;
        var nodes = new List<ProtoMessage>();
        var initializers = new List<ProtoMessage>();
        string x = InputName;
        for (int l = 0; l < body.LayerCount; l++)
        {
            int inSize = body.Sizes[l], outSize = body.Sizes[l + 1];
            var w = parameters.Slice(body.Weight(l).Offset, inSize * outSize);
            var b = parameters.Slice(body.Bias(l).Offset, outSize);
            bool last = l == body.LayerCount - 1;
            string prefix = last ? "mu" : $"hidden{l}";
            if (last)
            {
                // The μ columns of the head layer: W[:, 1:1+act] and b[1:1+act].
                var wMu = new float[inSize * act];
                for (int r = 0; r < inSize; r++) w.Slice(r * outSize + 1, act).CopyTo(wMu.AsSpan(r * act, act));
                w = wMu;
                b = b.Slice(1, act);
                outSize = act;
            }
            initializers.Add(OnnxMessages.FloatTensor($"{prefix}.weight", w, inSize, outSize));
            initializers.Add(OnnxMessages.FloatTensor($"{prefix}.bias", b, outSize));
            nodes.Add(OnnxMessages.Node("MatMul", $"{prefix}/matmul", $"{prefix}.xw", x, $"{prefix}.weight"));
            nodes.Add(OnnxMessages.Node("Add", $"{prefix}/add", $"{prefix}.pre", $"{prefix}.xw", $"{prefix}.bias"));
            x = last ? OutputName : $"{prefix}.out";
            nodes.Add(OnnxMessages.Node(last ? "Tanh" : "Relu", $"{prefix}/{(last ? "tanh" : "relu")}", x, $"{prefix}.pre"));
        }
        var graph = OnnxMessages.Graph("naf_greedy_policy", nodes, initializers,
            OnnxMessages.BatchedFloat(InputName, BatchDimension, network.ObservationSize), OnnxMessages.BatchedFloat(OutputName, BatchDimension, act));
        string doc = $"NAF greedy policy mu(x) = tanh(mu head); observation [{BatchDimension}, {network.ObservationSize}] -> action " +
            $"[{BatchDimension}, {act}] in [-1, 1]; hidden ReLU layers [{string.Join(", ", body.Sizes.Skip(1).SkipLast(1))}].";
        string version = typeof(OnnxPolicy).Assembly.GetName().Version?.ToString() ?? "0";
        return OnnxMessages.Model(IrVersion, Opset, "NafNative", version, doc, graph, metadata ?? []).ToArray();
    }

    /// <summary>Writes the trainer's online network's greedy policy to <paramref name="path"/> (temporary file, then
    /// renamed, so a failed export never leaves a half model).</summary>
    public static void Save(NafTrainer trainer, string path, IEnumerable<KeyValuePair<string, string>>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        byte[] model = Build(trainer.Network, trainer.Online.Values, metadata);
        Storage.AtomicFile.Write(path, stream => stream.Write(model));
    }
}

using NafNative.Kernels.Cpu;
using NafNative.Tensors;

namespace NafNative.Autodiff;

/// <summary>A multilayer perceptron: dense layers with ReLU between them and a linear output, its weights held in
/// a flat <see cref="ParameterVector"/>.</summary>
/// <remarks>Weights are [in×out] (so the forward pass is X·W without a transpose) and biases [1×out].</remarks>
public sealed class Mlp
{
    private readonly ParameterSlice[] _weights;
    private readonly ParameterSlice[] _biases;

    /// <summary>Registers the layers' parameters in <paramref name="layout"/>, named "{prefix}.{i}.weight" / ".bias".</summary>
    /// <remarks>sizes: input size, hidden sizes..., output size (at least two entries, all positive).</remarks>
    public Mlp(ParameterLayout layout, string prefix, params int[] sizes)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(sizes);
        if (sizes.Length < 2)
            throw new ArgumentException($"Mlp '{prefix}': sizes needs an input and an output size, got [{string.Join(", ", sizes)}].", nameof(sizes));
        for (int i = 0; i < sizes.Length; i++)
            if (sizes[i] <= 0)
                throw new ArgumentOutOfRangeException(nameof(sizes), $"Mlp '{prefix}': sizes[{i}] = {sizes[i]} must be positive (sizes [{string.Join(", ", sizes)}]).");
        Sizes = [.. sizes];
        _weights = new ParameterSlice[sizes.Length - 1];
        _biases = new ParameterSlice[sizes.Length - 1];
        for (int l = 0; l < _weights.Length; l++)
        {
            _weights[l] = layout.Add($"{prefix}.{l}.weight", new Shape(sizes[l], sizes[l + 1]));
            _biases[l] = layout.Add($"{prefix}.{l}.bias", Shape.Vector(sizes[l + 1]));
        }
    }

    public IReadOnlyList<int> Sizes { get; }
    public int InputSize => Sizes[0];
    public int OutputSize => Sizes[^1];
    public int LayerCount => _weights.Length;

    /// <summary>Where layer <paramref name="layer"/>'s weight matrix [in×out] sits in the flat vector.</summary>
    public ParameterSlice Weight(int layer) => _weights[layer];

    /// <summary>Where layer <paramref name="layer"/>'s bias [out] sits in the flat vector.</summary>
    public ParameterSlice Bias(int layer) => _biases[layer];

    /// <summary>Multiply-adds of one sample's forward pass: Σ in·out over layers.</summary>
    public long MultiplyAddsPerSample()
    {
        long total = 0;
        for (int l = 0; l < _weights.Length; l++) total += (long)Sizes[l] * Sizes[l + 1];
        return total;
    }

    /// <summary>PyTorch's default dense initialisation: W, b ~ U(−1/√in, 1/√in).</summary>
    public void Initialize(ParameterVector parameters, Random random)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(random);
        for (int l = 0; l < _weights.Length; l++)
        {
            float bound = 1f / MathF.Sqrt(Sizes[l]);
            Fill(parameters.Value(_weights[l]), random, bound);
            Fill(parameters.Value(_biases[l]), random, bound);
        }
    }

    /// <summary>Records the forward pass of a [batch × input] value on <paramref name="tape"/>.</summary>
    public Var Forward(Tape tape, ParameterVector parameters, Var x)
    {
        ArgumentNullException.ThrowIfNull(tape);
        if (x.Shape.Cols != InputSize)
            throw new ArgumentException($"Mlp.Forward: x {x.Shape} has {x.Shape.Cols} features but the network takes {InputSize}.", nameof(x));
        Var h = x;
        for (int l = 0; l < _weights.Length; l++)
        {
            h = tape.Linear(h, tape.Parameter(parameters, _weights[l]), tape.Parameter(parameters, _biases[l]));
            if (l < _weights.Length - 1) h = tape.Relu(h);
        }
        return h;
    }

    /// <summary>Floats of scratch <see cref="Infer"/> needs at <paramref name="batch"/>: two ping-pong hidden buffers.</summary>
    public int InferScratchLength(int batch)
    {
        int widest = 0;
        for (int l = 1; l < Sizes.Count - 1; l++) widest = Math.Max(widest, Sizes[l]);
        return 2 * batch * widest;
    }

    /// <summary>The forward pass without a tape (target network, policy): output[batch × out] from x[batch × in],
    /// reading weights from any flat vector with this network's layout (online, target, or a snapshot).</summary>
    /// <remarks>Allocation-free; thread-safe as long as each caller brings its own output and scratch.</remarks>
    public void Infer(ReadOnlySpan<float> parameters, ReadOnlySpan<float> x, int batch, Span<float> output, Span<float> scratch)
    {
        var last = _biases[^1];
        if (parameters.Length < last.Offset + last.Length || batch < 0 || x.Length != batch * InputSize
            || output.Length != batch * OutputSize || scratch.Length < InferScratchLength(batch))
            throw new ArgumentException(
                $"Mlp.Infer: for batch {batch} expected parameters [≥{last.Offset + last.Length}], x [{batch}×{InputSize}], " +
                $"output [{batch}×{OutputSize}], scratch [≥{InferScratchLength(batch)}]; got [{parameters.Length}], [{x.Length}], [{output.Length}], [{scratch.Length}].");
        int half = scratch.Length / 2;
        ReadOnlySpan<float> input = x;
        for (int l = 0; l < _weights.Length; l++)
        {
            int inSize = Sizes[l], outSize = Sizes[l + 1];
            bool isLast = l == _weights.Length - 1;
            Span<float> y = isLast ? output : scratch.Slice(l % 2 * half, batch * outSize);
            ReadOnlySpan<float> bias = parameters.Slice(_biases[l].Offset, outSize);
            for (int r = 0; r < batch; r++) bias.CopyTo(y.Slice(r * outSize, outSize));
            Gemm.MatMul(input, parameters.Slice(_weights[l].Offset, inSize * outSize), y, batch, outSize, inSize);
            if (!isLast) Activations.Relu(y, y);
            input = y;
        }
    }

    private static void Fill(Span<float> values, Random random, float bound)
    {
        for (int i = 0; i < values.Length; i++) values[i] = (float)((random.NextDouble() * 2 - 1) * bound);
    }
}

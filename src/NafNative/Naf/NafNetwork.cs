using NafNative.Autodiff;
using NafNative.Kernels.Cpu;

namespace NafNative.Naf;

/// <summary>NAF's network: one ReLU body with a linear output holding all three heads side by side,
/// [V (1) | μ pre-tanh (n) | L entries (n(n+1)/2)] (the layout <see cref="NafAdvantage"/> reads).</summary>
/// <remarks>One output layer for the three heads is the same function as three separate linear heads on a shared
/// body (their weight matrices are just concatenated), and it lets one GEMM compute them.</remarks>
public sealed class NafNetwork
{
    public NafNetwork(int observationSize, int actionSize, IReadOnlyList<int> hiddenSizes)
    {
        ArgumentNullException.ThrowIfNull(hiddenSizes);
        ObservationSize = observationSize;
        ActionSize = actionSize;
        HeadWidth = NafAdvantage.HeadWidth(actionSize);
        Layout = new ParameterLayout();
        int[] sizes = [observationSize, .. hiddenSizes, HeadWidth];
        Body = new Mlp(Layout, "naf", sizes);
    }

    public int ObservationSize { get; }
    public int ActionSize { get; }
    public int HeadWidth { get; }
    public ParameterLayout Layout { get; }
    public Mlp Body { get; }
    public int ParameterCount => Layout.Length;

    /// <summary>Records the head [batch × HeadWidth] of x on a tape (online network, with gradients).</summary>
    public Var Head(Tape tape, ParameterVector parameters, Var x) => Body.Forward(tape, parameters, x);

    /// <summary>Head without a tape, from any flat vector with this layout (target network, snapshots).</summary>
    public void InferHead(ReadOnlySpan<float> parameters, ReadOnlySpan<float> x, int batch, Span<float> head, Span<float> scratch) =>
        Body.Infer(parameters, x, batch, head, scratch);

    /// <summary>FLOPs of one update at <paramref name="batch"/>, counting GEMMs only: online forward, weight
    /// gradients and input gradients (except the first layer's), and the target forward: 2·B·(4M − M₁).</summary>
    public double UpdateFlops(int batch)
    {
        long m = Body.MultiplyAddsPerSample();
        long first = (long)Body.Sizes[0] * Body.Sizes[1];
        return 2.0 * batch * (4 * m - first);
    }
}

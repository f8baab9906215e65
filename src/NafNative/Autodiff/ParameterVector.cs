using NafNative.Tensors;

namespace NafNative.Autodiff;

/// <summary>All of a network's parameters in one flat array, with a gradient array of the same layout.</summary>
/// <remarks>Owned by one thread (the learner). Gradients accumulate; call <see cref="ZeroGradients"/> before a step.</remarks>
public sealed class ParameterVector
{
    public ParameterVector(ParameterLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        Slices = [.. layout.Slices];
        Values = new float[layout.Length];
        Gradients = new float[layout.Length];
    }

    public IReadOnlyList<ParameterSlice> Slices { get; }
    public float[] Values { get; }
    public float[] Gradients { get; }
    public int Length => Values.Length;

    public Span<float> Value(ParameterSlice slice) => Values.AsSpan(slice.Offset, slice.Length);
    public Span<float> Gradient(ParameterSlice slice) => Gradients.AsSpan(slice.Offset, slice.Length);
    public Tensor ValueTensor(ParameterSlice slice) => new(Values, slice.Offset, slice.Shape);

    public void ZeroGradients() => Array.Clear(Gradients);
}

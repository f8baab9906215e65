using NafNative.Tensors;

namespace NafNative.Autodiff;

/// <summary>Assigns each named parameter a contiguous slice of one flat vector (DESIGN: snapshots, checkpoints,
/// Adam state and target networks are each one array copy).</summary>
public sealed class ParameterLayout
{
    private readonly List<ParameterSlice> _slices = [];
    private readonly HashSet<string> _names = [];

    /// <summary>Reserves rows × cols floats for <paramref name="name"/>, right after the previous slice.</summary>
    public ParameterSlice Add(string name, Shape shape)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!_names.Add(name))
            throw new ArgumentException($"ParameterLayout.Add: a parameter named '{name}' already exists.", nameof(name));
        if ((long)Length + shape.Length > Array.MaxLength)
            throw new ArgumentException($"ParameterLayout.Add: '{name}' {shape} would make the vector longer than {Array.MaxLength}.", nameof(shape));
        var slice = new ParameterSlice(name, Length, shape);
        _slices.Add(slice);
        Length += shape.Length;
        return slice;
    }

    public int Length { get; private set; }

    public IReadOnlyList<ParameterSlice> Slices => _slices;
}

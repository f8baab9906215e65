using NafNative.Tensors;

namespace NafNative.Autodiff;

/// <summary>Where one named parameter (a weight matrix, a bias) sits inside a flat parameter vector.</summary>
public readonly record struct ParameterSlice(string Name, int Offset, Shape Shape)
{
    public int Length => Shape.Length;
    public override string ToString() => $"{Name} {Shape} @ {Offset}";
}

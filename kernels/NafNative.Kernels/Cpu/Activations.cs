using System.Numerics.Tensors;

namespace NafNative.Kernels.Cpu;

/// <summary>ReLU, tanh and exp: forward passes and their backward passes (which add into dx).</summary>
/// <remarks>
/// tanh and exp forward call TensorPrimitives, vectorised by the runtime (its tanh in System.Numerics.Tensors 11.0.0
/// is off by up to ~6e-8 absolute near 0, harmless for training; above |x| = 0.3 it is within 2.2 ulp), and
/// <see cref="SimdPath.Max"/> does not affect them; everything else runs on our forced-path driver.
/// Backward passes take the forward <b>output</b> y where the derivative is cheapest from it (tanh, exp).
/// </remarks>
public static class Activations
{
    /// <summary>y = max(x, 0).</summary>
    public static void Relu(ReadOnlySpan<float> x, Span<float> y)
    {
        Check.Same("Activations.Relu", "x", x.Length, "y", y.Length);
        ElementwiseDriver.Unary<ReluOp, Assign>(default, x, y);
    }

    /// <summary>dx += dy · [x &gt; 0], with x the forward input.</summary>
    public static void ReluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx)
    {
        Check.Same("Activations.ReluBackward", "x", x.Length, "dy", dy.Length);
        Check.Same("Activations.ReluBackward", "x", x.Length, "dx", dx.Length);
        ElementwiseDriver.Binary<ReluGradOp, Accumulate>(default, x, dy, dx);
    }

    /// <summary>y = tanh(x).</summary>
    public static void Tanh(ReadOnlySpan<float> x, Span<float> y)
    {
        Check.Same("Activations.Tanh", "x", x.Length, "y", y.Length);
        TensorPrimitives.Tanh(x, y);
    }

    /// <summary>dx += dy · (1 − y²), with y = tanh(x) the forward output.</summary>
    public static void TanhBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        Check.Same("Activations.TanhBackward", "y", y.Length, "dy", dy.Length);
        Check.Same("Activations.TanhBackward", "y", y.Length, "dx", dx.Length);
        ElementwiseDriver.Binary<TanhGradOp, Accumulate>(default, y, dy, dx);
    }

    /// <summary>y = eˣ.</summary>
    public static void Exp(ReadOnlySpan<float> x, Span<float> y)
    {
        Check.Same("Activations.Exp", "x", x.Length, "y", y.Length);
        TensorPrimitives.Exp(x, y);
    }

    /// <summary>dx += dy · y, with y = eˣ the forward output.</summary>
    public static void ExpBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        Check.Same("Activations.ExpBackward", "y", y.Length, "dy", dy.Length);
        Check.Same("Activations.ExpBackward", "y", y.Length, "dx", dx.Length);
        ElementwiseDriver.Binary<MultiplyOp, Accumulate>(default, y, dy, dx);
    }
}

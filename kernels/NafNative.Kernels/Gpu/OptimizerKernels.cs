using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Algorithms;

namespace NafNative.Kernels.Gpu;

/// <summary>Adam's per-step constants, computed on the host in double exactly as <see cref="Cpu.Optimizers.Adam"/>
/// computes them, plus the clipping threshold (0 = no clipping).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct AdamArgs
{
    public float Beta1, Beta2, Epsilon;
    /// <summary>lr / (1 − β₁ᵗ).</summary>
    public float StepSize;
    /// <summary>1 / √(1 − β₂ᵗ).</summary>
    public float InverseRootBias2;
    /// <summary>Clip the gradient to this L2 norm first (norm read from the device); 0 disables clipping.</summary>
    public float MaxNorm;

    public static AdamArgs For(float learningRate, float beta1, float beta2, float epsilon, long step, float maxNorm) => new()
    {
        Beta1 = beta1, Beta2 = beta2, Epsilon = epsilon,
        StepSize = (float)(learningRate / (1.0 - Math.Pow(beta1, step))),
        InverseRootBias2 = (float)(1.0 / Math.Sqrt(1.0 - Math.Pow(beta2, step))),
        MaxNorm = maxNorm,
    };
}

/// <summary>Parameter updates on the device over flat vectors (twins of <see cref="Cpu.Optimizers"/>): Adam with
/// optional norm clipping, Polyak averaging, and both fused into one pass.</summary>
/// <remarks>One thread per parameter (auto-grouped). The clip factor max/‖g‖ is formed per thread from the norm the
/// reduction left in scalars[1], in the same float expression the CPU uses, so no host round trip is needed.</remarks>
public static class OptimizerKernels
{
    /// <summary>One Adam step on parameter i: m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; θ ← θ − s·m/(√v·r + ε).</summary>
    public static void AdamKernel(Index1D index, ArrayView<float> parameters, ArrayView<float> gradients,
        ArrayView<float> m, ArrayView<float> v, ArrayView<float> scalars, AdamArgs args) =>
        parameters[index] = Adam(index, parameters[index], gradients, m, v, scalars, args);

    /// <summary>θ′[i] += τ(θ[i] − θ′[i]).</summary>
    public static void PolyakKernel(Index1D index, ArrayView<float> online, ArrayView<float> target, float tau) =>
        target[index] += tau * (online[index] - target[index]);

    /// <summary>Adam on θ = parameters[0, P) then Polyak on θ′ = parameters[P, 2P) for parameter i (index &lt; P);
    /// nothing at all when the update's loss (scalars[0]) or gradient norm (scalars[1]) is NaN or ±∞.</summary>
    /// <remarks>Every thread reads the same two scalars, so a non-finite update is skipped as a whole: θ, θ′, m and v
    /// keep their values (the host counts the skip from the same scalars; see the CPU trainer's ApplyGradients).</remarks>
    public static void AdamPolyakKernel(Index1D index, ArrayView<float> parameters, int count, ArrayView<float> gradients,
        ArrayView<float> m, ArrayView<float> v, ArrayView<float> scalars, AdamArgs args, float tau)
    {
        if (!IsFinite(scalars[0]) || !IsFinite(scalars[1])) return;
        float theta = Adam(index, parameters[index], gradients, m, v, scalars, args);
        parameters[index] = theta;
        long targetAt = (long)count + index.X;
        float target = parameters[targetAt];
        parameters[targetAt] = target + tau * (theta - target);
    }

    // Exponent bits all ones = NaN or ±∞; a bit test needs no math intrinsic on any accelerator.
    private static bool IsFinite(float x) => (Interop.FloatAsInt(x) & 0x7F800000u) != 0x7F800000u;

    private static float Adam(int i, float theta, ArrayView<float> gradients, ArrayView<float> m, ArrayView<float> v,
        ArrayView<float> scalars, AdamArgs a)
    {
        float g = gradients[i];
        if (a.MaxNorm > 0f)
        {
            float norm = scalars[1];
            if (norm > a.MaxNorm && norm > 0f) g *= a.MaxNorm / norm;
        }
        float mi = a.Beta1 * m[i] + (1f - a.Beta1) * g;
        float vi = a.Beta2 * v[i] + (1f - a.Beta2) * g * g;
        m[i] = mi;
        v[i] = vi;
        return theta - a.StepSize * mi / (XMath.Sqrt(vi) * a.InverseRootBias2 + a.Epsilon);
    }
}

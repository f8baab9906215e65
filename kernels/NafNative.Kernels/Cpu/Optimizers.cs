using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NafNative.Kernels.Cpu;

/// <summary>Fused parameter updates over flat vectors: Adam, Polyak averaging, gradient-norm clipping.</summary>
public static class Optimizers
{
    /// <summary>One Adam step (Kingma &amp; Ba 2015, PyTorch's formulation) over the whole flat vector.</summary>
    /// <remarks>m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; θ ← θ − (lr/(1−β₁ᵗ))·m / (√v/√(1−β₂ᵗ) + ε).
    /// <paramref name="step"/> is t, counted from 1.</remarks>
    public static void Adam(Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> m, Span<float> v,
        float learningRate, float beta1, float beta2, float epsilon, long step)
    {
        Check.Same("Optimizers.Adam", "parameters", parameters.Length, "gradients", gradients.Length);
        Check.Same("Optimizers.Adam", "parameters", parameters.Length, "m", m.Length);
        Check.Same("Optimizers.Adam", "parameters", parameters.Length, "v", v.Length);
        if (step < 1) throw new ArgumentOutOfRangeException(nameof(step), step, "Optimizers.Adam: step counts from 1.");
        // Bias corrections in double, as PyTorch computes them (Python floats): in float, 1 − β₂ᵗ cancels (β₂ = 0.999,
        // t = 2: 0.002 from two numbers near 1), amplifying MathF.Pow's rounding ~500× — steps off by up to ~3e-5.
        float stepSize = (float)(learningRate / (1.0 - Math.Pow(beta1, step)));
        float invRootBias2 = (float)(1.0 / Math.Sqrt(1.0 - Math.Pow(beta2, step)));
        ref float p = ref MemoryMarshal.GetReference(parameters);
        ref float g = ref MemoryMarshal.GetReference(gradients);
        ref float mr = ref MemoryMarshal.GetReference(m);
        ref float vr = ref MemoryMarshal.GetReference(v);
        nint n = parameters.Length, i = 0;
        if (SimdPath.Active == SimdWidth.Vector512)
        {
            var b1 = Vector512.Create(beta1); var c1 = Vector512.Create(1f - beta1);
            var b2 = Vector512.Create(beta2); var c2 = Vector512.Create(1f - beta2);
            var s = Vector512.Create(stepSize); var r = Vector512.Create(invRootBias2); var e = Vector512.Create(epsilon);
            for (; i <= n - 16; i += 16)
            {
                var gi = Vector512.LoadUnsafe(ref g, (nuint)i);
                var mi = b1 * Vector512.LoadUnsafe(ref mr, (nuint)i) + c1 * gi;
                var vi = b2 * Vector512.LoadUnsafe(ref vr, (nuint)i) + c2 * gi * gi;
                mi.StoreUnsafe(ref mr, (nuint)i);
                vi.StoreUnsafe(ref vr, (nuint)i);
                (Vector512.LoadUnsafe(ref p, (nuint)i) - s * mi / (Vector512.Sqrt(vi) * r + e)).StoreUnsafe(ref p, (nuint)i);
            }
        }
        if (SimdPath.Active >= SimdWidth.Vector256)
        {
            var b1 = Vector256.Create(beta1); var c1 = Vector256.Create(1f - beta1);
            var b2 = Vector256.Create(beta2); var c2 = Vector256.Create(1f - beta2);
            var s = Vector256.Create(stepSize); var r = Vector256.Create(invRootBias2); var e = Vector256.Create(epsilon);
            for (; i <= n - 8; i += 8)
            {
                var gi = Vector256.LoadUnsafe(ref g, (nuint)i);
                var mi = b1 * Vector256.LoadUnsafe(ref mr, (nuint)i) + c1 * gi;
                var vi = b2 * Vector256.LoadUnsafe(ref vr, (nuint)i) + c2 * gi * gi;
                mi.StoreUnsafe(ref mr, (nuint)i);
                vi.StoreUnsafe(ref vr, (nuint)i);
                (Vector256.LoadUnsafe(ref p, (nuint)i) - s * mi / (Vector256.Sqrt(vi) * r + e)).StoreUnsafe(ref p, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float gi = Unsafe.Add(ref g, i);
            float mi = beta1 * Unsafe.Add(ref mr, i) + (1f - beta1) * gi;
            float vi = beta2 * Unsafe.Add(ref vr, i) + (1f - beta2) * gi * gi;
            Unsafe.Add(ref mr, i) = mi;
            Unsafe.Add(ref vr, i) = vi;
            Unsafe.Add(ref p, i) -= stepSize * mi / (MathF.Sqrt(vi) * invRootBias2 + epsilon);
        }
    }

    /// <summary>Polyak averaging of a target network: θ′ ← τ·θ + (1 − τ)·θ′, computed as θ′ += τ(θ − θ′).</summary>
    public static void Polyak(ReadOnlySpan<float> online, Span<float> target, float tau)
    {
        Check.Same("Optimizers.Polyak", "online", online.Length, "target", target.Length);
        ElementwiseDriver.Binary<ScaledDifferenceOp, Accumulate>(new ScaledDifferenceOp(tau), online, target, target);
    }

    /// <summary>Scales <paramref name="gradients"/> so their L2 norm is at most <paramref name="maxNorm"/>; returns
    /// the norm before clipping.</summary>
    public static float ClipGradientNorm(Span<float> gradients, float maxNorm)
    {
        if (!(float.IsFinite(maxNorm) && maxNorm > 0))
            throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "Optimizers.ClipGradientNorm: maxNorm must be positive and finite.");
        float norm = MathF.Sqrt(Reductions.Dot(gradients, gradients));
        if (norm > maxNorm && norm > 0f) Elementwise.Scale(maxNorm / norm, gradients, gradients);
        return norm;
    }
}

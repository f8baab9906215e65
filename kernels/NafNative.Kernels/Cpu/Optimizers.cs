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
            i = AdamVectors<Simd512, Vector512<float>>(ref p, ref g, ref mr, ref vr, n, i, beta1, beta2, stepSize, invRootBias2, epsilon);
        if (SimdPath.Active >= SimdWidth.Vector256)
            i = AdamVectors<Simd256, Vector256<float>>(ref p, ref g, ref mr, ref vr, n, i, beta1, beta2, stepSize, invRootBias2, epsilon);
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

    // The Adam update over whole vectors from i on; returns where the vector loop stopped (the caller finishes the tail).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nint AdamVectors<TS, TV>(ref float p, ref float g, ref float m, ref float v, nint n, nint i,
        float beta1, float beta2, float stepSize, float invRootBias2, float epsilon)
        where TS : struct, ISimd<TV> where TV : struct
    {
        TV b1 = TS.Broadcast(beta1), c1 = TS.Broadcast(1f - beta1), b2 = TS.Broadcast(beta2), c2 = TS.Broadcast(1f - beta2);
        TV s = TS.Broadcast(stepSize), r = TS.Broadcast(invRootBias2), e = TS.Broadcast(epsilon);
        for (nint w = TS.Width; i <= n - w; i += w)
        {
            TV gi = TS.Load(ref g, i);
            TV mi = TS.Add(TS.Multiply(b1, TS.Load(ref m, i)), TS.Multiply(c1, gi));
            TV vi = TS.Add(TS.Multiply(b2, TS.Load(ref v, i)), TS.Multiply(TS.Multiply(c2, gi), gi));
            TS.Store(mi, ref m, i);
            TS.Store(vi, ref v, i);
            TV step = TS.Divide(TS.Multiply(s, mi), TS.Add(TS.Multiply(TS.Sqrt(vi), r), e));
            TS.Store(TS.Subtract(TS.Load(ref p, i), step), ref p, i);
        }
        return i;
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

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NafNative.Kernels.Cpu;

/// <summary>Runs independent fused multiply-add chains: the loop that measures a core's fp32 FMA peak.</summary>
/// <remarks>
/// 16 independent accumulators exceed FMA latency × throughput on current x86 (4 cycles × 2 pipes), so the loop is
/// bound by FMA issue rate alone; no memory is touched. The sum of the accumulators is returned so the JIT cannot
/// drop the work.
/// </remarks>
public static class FmaPeak
{
    /// <summary>Independent accumulator chains per iteration.</summary>
    public const int Chains = 16;

    /// <summary>Floating-point operations one call of <see cref="Run"/> performs at <paramref name="width"/>.</summary>
    public static double Flops(long iterations, SimdWidth width) => 2.0 * Chains * LanesOf(width) * iterations;

    /// <summary>Lanes per vector at a width (1 for scalar).</summary>
    public static int LanesOf(SimdWidth width) => width switch
    {
        SimdWidth.Vector512 => Vector512<float>.Count,
        SimdWidth.Vector256 => Vector256<float>.Count,
        _ => 1,
    };

    /// <summary>Runs <paramref name="iterations"/> × <see cref="Chains"/> FMAs at the active width; returns a checksum.</summary>
    public static float Run(long iterations) => SimdPath.Active switch
    {
        SimdWidth.Vector512 => Run<Simd512, Vector512<float>>(iterations, Vector512.Sum),
        SimdWidth.Vector256 => Run<Simd256, Vector256<float>>(iterations, Vector256.Sum),
        _ => RunScalar(iterations),
    };

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Run<TS, TV>(long iterations, Func<TV, float> sum) where TS : struct, ISimd<TV> where TV : struct
    {
        // a·x + b with a slightly below 1 keeps values bounded for any iteration count.
        TV a = TS.Broadcast(0.999999f), b = TS.Broadcast(1e-6f);
        TV c0 = TS.Broadcast(0.1f), c1 = TS.Broadcast(0.2f), c2 = TS.Broadcast(0.3f), c3 = TS.Broadcast(0.4f);
        TV c4 = TS.Broadcast(0.5f), c5 = TS.Broadcast(0.6f), c6 = TS.Broadcast(0.7f), c7 = TS.Broadcast(0.8f);
        TV c8 = c0, c9 = c1, c10 = c2, c11 = c3, c12 = c4, c13 = c5, c14 = c6, c15 = c7;
        for (long i = 0; i < iterations; i++)
        {
            c0 = TS.Fma(c0, a, b); c1 = TS.Fma(c1, a, b); c2 = TS.Fma(c2, a, b); c3 = TS.Fma(c3, a, b);
            c4 = TS.Fma(c4, a, b); c5 = TS.Fma(c5, a, b); c6 = TS.Fma(c6, a, b); c7 = TS.Fma(c7, a, b);
            c8 = TS.Fma(c8, a, b); c9 = TS.Fma(c9, a, b); c10 = TS.Fma(c10, a, b); c11 = TS.Fma(c11, a, b);
            c12 = TS.Fma(c12, a, b); c13 = TS.Fma(c13, a, b); c14 = TS.Fma(c14, a, b); c15 = TS.Fma(c15, a, b);
        }
        TV s = TS.Add(TS.Add(TS.Add(c0, c1), TS.Add(c2, c3)), TS.Add(TS.Add(c4, c5), TS.Add(c6, c7)));
        s = TS.Add(s, TS.Add(TS.Add(TS.Add(c8, c9), TS.Add(c10, c11)), TS.Add(TS.Add(c12, c13), TS.Add(c14, c15))));
        return sum(s);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float RunScalar(long iterations)
    {
        float a = 0.999999f, b = 1e-6f;
        Span<float> c = stackalloc float[Chains];
        for (int j = 0; j < Chains; j++) c[j] = 0.1f * (j + 1);
        for (long i = 0; i < iterations; i++)
            for (int j = 0; j < Chains; j++) c[j] = MathF.FusedMultiplyAdd(c[j], a, b);
        float s = 0;
        foreach (float v in c) s += v;
        return s;
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NafNative.Kernels.Cpu;

/// <summary>Runs independent fused multiply-add chains: the loop that measures a core's fp32 FMA peak.</summary>
/// <remarks>
/// <para>The loop is bound by FMA issue rate only if (a) there are at least latency × FMA pipes independent chains
/// (4–5 cycles × 2 pipes on current x86: 8–10), and (b) every chain plus the two shared operands stays in a register.
/// A spill adds a load and a store per FMA and halves the rate, which is what 16 chains did on AVX2, whose 16 ymm
/// registers cannot hold 16 + 2 values: <c>naf bench peak</c> read ~50 instead of ~100 GFLOP/s on a Zen 2 core and
/// GEMM then reported 129% "of peak". So the chain count follows the register file of the path used:
/// <see cref="Vector256Chains"/> (12 + 2 of AVX2's 16 registers) and <see cref="Vector512Chains"/> (24 + 2 of
/// AVX-512's 32), both at least latency × pipes.</para>
/// <para>No memory is touched. The sum of the accumulators is returned so the JIT cannot drop the work.</para>
/// </remarks>
public static class FmaPeak
{
    /// <summary>Chains of the Vector256 loop: 12 accumulators + 2 operands fit AVX2's 16 ymm registers.</summary>
    public const int Vector256Chains = 12;

    /// <summary>Chains of the Vector512 loop: 24 accumulators + 2 operands fit AVX-512's 32 zmm registers.</summary>
    public const int Vector512Chains = 24;

    /// <summary>Chains of the scalar loop (a reference only; its accumulators live in memory).</summary>
    public const int ScalarChains = 12;

    /// <summary>Independent accumulator chains per iteration at <paramref name="width"/>.</summary>
    public static int ChainsOf(SimdWidth width) => width switch
    {
        SimdWidth.Vector512 => Vector512Chains,
        SimdWidth.Vector256 => Vector256Chains,
        _ => ScalarChains,
    };

    /// <summary>Floating-point operations one call of <see cref="Run"/> performs at <paramref name="width"/>.</summary>
    public static double Flops(long iterations, SimdWidth width) => 2.0 * ChainsOf(width) * LanesOf(width) * iterations;

    /// <summary>Lanes per vector at a width (1 for scalar).</summary>
    public static int LanesOf(SimdWidth width) => width switch
    {
        SimdWidth.Vector512 => Vector512<float>.Count,
        SimdWidth.Vector256 => Vector256<float>.Count,
        _ => 1,
    };

    /// <summary>Runs <paramref name="iterations"/> × <see cref="ChainsOf"/>(active width) FMAs at the active width;
    /// returns a checksum.</summary>
    public static float Run(long iterations) => SimdPath.Active switch
    {
        SimdWidth.Vector512 => Run24<Simd512, Vector512<float>>(iterations, Vector512.Sum),
        SimdWidth.Vector256 => Run12<Simd256, Vector256<float>>(iterations, Vector256.Sum),
        _ => RunScalar(iterations),
    };

    // a·x + b with a slightly below 1 keeps values bounded for any iteration count.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Run12<TS, TV>(long iterations, Func<TV, float> sum) where TS : struct, ISimd<TV> where TV : struct
    {
        TV a = TS.Broadcast(0.999999f), b = TS.Broadcast(1e-6f);
        TV c0 = TS.Broadcast(0.1f), c1 = TS.Broadcast(0.2f), c2 = TS.Broadcast(0.3f), c3 = TS.Broadcast(0.4f);
        TV c4 = TS.Broadcast(0.5f), c5 = TS.Broadcast(0.6f), c6 = TS.Broadcast(0.7f), c7 = TS.Broadcast(0.8f);
        TV c8 = c0, c9 = c1, c10 = c2, c11 = c3;
        for (long i = 0; i < iterations; i++)
        {
            c0 = TS.Fma(c0, a, b); c1 = TS.Fma(c1, a, b); c2 = TS.Fma(c2, a, b); c3 = TS.Fma(c3, a, b);
            c4 = TS.Fma(c4, a, b); c5 = TS.Fma(c5, a, b); c6 = TS.Fma(c6, a, b); c7 = TS.Fma(c7, a, b);
            c8 = TS.Fma(c8, a, b); c9 = TS.Fma(c9, a, b); c10 = TS.Fma(c10, a, b); c11 = TS.Fma(c11, a, b);
        }
        TV s = TS.Add(TS.Add(TS.Add(c0, c1), TS.Add(c2, c3)), TS.Add(TS.Add(c4, c5), TS.Add(c6, c7)));
        s = TS.Add(s, TS.Add(TS.Add(c8, c9), TS.Add(c10, c11)));
        return sum(s);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Run24<TS, TV>(long iterations, Func<TV, float> sum) where TS : struct, ISimd<TV> where TV : struct
    {
        TV a = TS.Broadcast(0.999999f), b = TS.Broadcast(1e-6f);
        TV c0 = TS.Broadcast(0.1f), c1 = TS.Broadcast(0.2f), c2 = TS.Broadcast(0.3f), c3 = TS.Broadcast(0.4f);
        TV c4 = TS.Broadcast(0.5f), c5 = TS.Broadcast(0.6f), c6 = TS.Broadcast(0.7f), c7 = TS.Broadcast(0.8f);
        TV c8 = c0, c9 = c1, c10 = c2, c11 = c3, c12 = c4, c13 = c5, c14 = c6, c15 = c7;
        TV c16 = c0, c17 = c1, c18 = c2, c19 = c3, c20 = c4, c21 = c5, c22 = c6, c23 = c7;
        for (long i = 0; i < iterations; i++)
        {
            c0 = TS.Fma(c0, a, b); c1 = TS.Fma(c1, a, b); c2 = TS.Fma(c2, a, b); c3 = TS.Fma(c3, a, b);
            c4 = TS.Fma(c4, a, b); c5 = TS.Fma(c5, a, b); c6 = TS.Fma(c6, a, b); c7 = TS.Fma(c7, a, b);
            c8 = TS.Fma(c8, a, b); c9 = TS.Fma(c9, a, b); c10 = TS.Fma(c10, a, b); c11 = TS.Fma(c11, a, b);
            c12 = TS.Fma(c12, a, b); c13 = TS.Fma(c13, a, b); c14 = TS.Fma(c14, a, b); c15 = TS.Fma(c15, a, b);
            c16 = TS.Fma(c16, a, b); c17 = TS.Fma(c17, a, b); c18 = TS.Fma(c18, a, b); c19 = TS.Fma(c19, a, b);
            c20 = TS.Fma(c20, a, b); c21 = TS.Fma(c21, a, b); c22 = TS.Fma(c22, a, b); c23 = TS.Fma(c23, a, b);
        }
        TV s = TS.Add(TS.Add(TS.Add(c0, c1), TS.Add(c2, c3)), TS.Add(TS.Add(c4, c5), TS.Add(c6, c7)));
        s = TS.Add(s, TS.Add(TS.Add(TS.Add(c8, c9), TS.Add(c10, c11)), TS.Add(TS.Add(c12, c13), TS.Add(c14, c15))));
        s = TS.Add(s, TS.Add(TS.Add(TS.Add(c16, c17), TS.Add(c18, c19)), TS.Add(TS.Add(c20, c21), TS.Add(c22, c23))));
        return sum(s);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float RunScalar(long iterations)
    {
        float a = 0.999999f, b = 1e-6f;
        Span<float> c = stackalloc float[ScalarChains];
        for (int j = 0; j < ScalarChains; j++) c[j] = 0.1f * (j + 1);
        for (long i = 0; i < iterations; i++)
            for (int j = 0; j < ScalarChains; j++) c[j] = MathF.FusedMultiplyAdd(c[j], a, b);
        float s = 0;
        foreach (float v in c) s += v;
        return s;
    }
}

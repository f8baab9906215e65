using System.Runtime.CompilerServices;

namespace NafNative.Kernels.Cpu;

/// <summary>The register-blocked heart of <see cref="Gemm"/>: a 4-row by (1..4 vectors) tile of C in registers.</summary>
/// <remarks>
/// Why 4 × 3 vectors: 12 accumulators + 3 B vectors + 1 broadcast fit the 16 (AVX2) / 32 (AVX-512) registers,
/// and 12 independent FMA chains cover FMA latency (4 cycles) at one or two FMAs per cycle. AVX-512's 32 registers
/// also hold 4 × 4 (16 + 4 + 1), which lets a 100-wide C run as 64 + 36 columns instead of 48 + 48 + 4, whose last
/// 1-vector panel has only 4 FMA chains and is latency-bound.
/// B comes packed: row p of the panel holds <c>TN.Count * Width</c> contiguous floats (zero-padded).
/// A is read through strides, so the same kernel serves A (row-major, rsA = k, csA = 1) and Aᵀ (rsA = 1, csA = m).
/// With <see cref="MaskedLastColumns"/>, the last vector of each row is added into C through <c>mask</c>, so a
/// partial panel writes straight into C (no tile buffer) and never touches memory past its columns.
/// </remarks>
internal static class GemmMicroKernel
{
    public const int Rows = 4;

    /// <summary>dst[r, j] += Σ_p a(r, p) · panel[p, j] for r &lt; 4, j &lt; TN.Count·Width (the last vector's lanes
    /// limited to <paramref name="mask"/> when <typeparamref name="TE"/> is masked).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<TS, TV, TN, TE>(ref float a, nint rsA, nint csA, ref float panel, int kc, ref float dst, nint ldDst, TV mask)
        where TS : struct, ISimd<TV> where TV : struct where TN : struct, IVectorCount where TE : struct, IEdgeMode
    {
        nint w = TS.Width;
        nint panelStride = TN.Count * w;
        TV c00 = TS.Zero, c01 = TS.Zero, c02 = TS.Zero, c03 = TS.Zero;
        TV c10 = TS.Zero, c11 = TS.Zero, c12 = TS.Zero, c13 = TS.Zero;
        TV c20 = TS.Zero, c21 = TS.Zero, c22 = TS.Zero, c23 = TS.Zero;
        TV c30 = TS.Zero, c31 = TS.Zero, c32 = TS.Zero, c33 = TS.Zero;
        ref float a0 = ref a;
        ref float a1 = ref Unsafe.Add(ref a, rsA);
        ref float a2 = ref Unsafe.Add(ref a, 2 * rsA);
        ref float a3 = ref Unsafe.Add(ref a, 3 * rsA);
        ref float b = ref panel;
        for (int p = 0; p < kc; p++)
        {
            TV b0 = TS.Load(ref b, 0);
            TV b1 = TN.Count > 1 ? TS.Load(ref b, w) : TS.Zero;
            TV b2 = TN.Count > 2 ? TS.Load(ref b, 2 * w) : TS.Zero;
            TV b3 = TN.Count > 3 ? TS.Load(ref b, 3 * w) : TS.Zero;

            TV x = TS.Broadcast(a0);
            c00 = TS.Fma(x, b0, c00);
            if (TN.Count > 1) c01 = TS.Fma(x, b1, c01);
            if (TN.Count > 2) c02 = TS.Fma(x, b2, c02);
            if (TN.Count > 3) c03 = TS.Fma(x, b3, c03);
            x = TS.Broadcast(a1);
            c10 = TS.Fma(x, b0, c10);
            if (TN.Count > 1) c11 = TS.Fma(x, b1, c11);
            if (TN.Count > 2) c12 = TS.Fma(x, b2, c12);
            if (TN.Count > 3) c13 = TS.Fma(x, b3, c13);
            x = TS.Broadcast(a2);
            c20 = TS.Fma(x, b0, c20);
            if (TN.Count > 1) c21 = TS.Fma(x, b1, c21);
            if (TN.Count > 2) c22 = TS.Fma(x, b2, c22);
            if (TN.Count > 3) c23 = TS.Fma(x, b3, c23);
            x = TS.Broadcast(a3);
            c30 = TS.Fma(x, b0, c30);
            if (TN.Count > 1) c31 = TS.Fma(x, b1, c31);
            if (TN.Count > 2) c32 = TS.Fma(x, b2, c32);
            if (TN.Count > 3) c33 = TS.Fma(x, b3, c33);

            a0 = ref Unsafe.Add(ref a0, csA);
            a1 = ref Unsafe.Add(ref a1, csA);
            a2 = ref Unsafe.Add(ref a2, csA);
            a3 = ref Unsafe.Add(ref a3, csA);
            b = ref Unsafe.Add(ref b, panelStride);
        }

        AddRow<TS, TV, TN, TE>(ref dst, c00, c01, c02, c03, mask);
        AddRow<TS, TV, TN, TE>(ref Unsafe.Add(ref dst, ldDst), c10, c11, c12, c13, mask);
        AddRow<TS, TV, TN, TE>(ref Unsafe.Add(ref dst, 2 * ldDst), c20, c21, c22, c23, mask);
        AddRow<TS, TV, TN, TE>(ref Unsafe.Add(ref dst, 3 * ldDst), c30, c31, c32, c33, mask);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddRow<TS, TV, TN, TE>(ref float row, TV v0, TV v1, TV v2, TV v3, TV mask)
        where TS : struct, ISimd<TV> where TV : struct where TN : struct, IVectorCount where TE : struct, IEdgeMode
    {
        nint w = TS.Width;
        AddVector<TS, TV, TE>(ref row, 0, v0, mask, TN.Count == 1);
        if (TN.Count > 1) AddVector<TS, TV, TE>(ref row, w, v1, mask, TN.Count == 2);
        if (TN.Count > 2) AddVector<TS, TV, TE>(ref row, 2 * w, v2, mask, TN.Count == 3);
        if (TN.Count > 3) AddVector<TS, TV, TE>(ref row, 3 * w, v3, mask, TN.Count == 4);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddVector<TS, TV, TE>(ref float row, nint offset, TV v, TV mask, bool last)
        where TS : struct, ISimd<TV> where TV : struct where TE : struct, IEdgeMode
    {
        if (TE.Masked && last) TS.AddMasked(v, ref row, offset, mask);
        else TS.Store(TS.Add(TS.Load(ref row, offset), v), ref row, offset);
    }
}

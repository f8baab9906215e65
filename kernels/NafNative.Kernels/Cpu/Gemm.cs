using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NafNative.Kernels.Cpu;

/// <summary>Single-precision matrix multiply-accumulate in the three forms back-propagation needs.</summary>
/// <remarks>
/// All matrices are dense, row-major, with no padding between rows. Every form <b>adds</b> into C, so the backward
/// pass accumulates gradients without a temporary; clear C first for a plain product.
/// Thread-safe (no state but the process-wide <see cref="Plan"/>); allocates nothing (scratch is on the stack: the
/// packed panel, at most 256 × 64 floats = 64 KB; 32 KB and 12 KB with the rule's AVX-512 and AVX2 plans).
/// </remarks>
public static partial class Gemm
{
    /// <summary>C[m×n] += A[m×k] · B[k×n] (a layer's forward pass: Y = X·W).</summary>
    public static void MatMul(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k)
    {
        Validate("Gemm.MatMul", a.Length, b.Length, c.Length, m, n, k, m, k, k, n);
        Dispatch(m, n, k, ref MemoryMarshal.GetReference(a), k, 1, ref MemoryMarshal.GetReference(b), n, 1, ref MemoryMarshal.GetReference(c));
    }

    /// <summary>C[m×n] += A[m×k] · B[n×k]ᵀ (input gradient: dX = dY·Wᵀ).</summary>
    public static void MatMulTransposeB(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k)
    {
        Validate("Gemm.MatMulTransposeB", a.Length, b.Length, c.Length, m, n, k, m, k, n, k);
        Dispatch(m, n, k, ref MemoryMarshal.GetReference(a), k, 1, ref MemoryMarshal.GetReference(b), 1, k, ref MemoryMarshal.GetReference(c));
    }

    /// <summary>C[m×n] += A[k×m]ᵀ · B[k×n] (weight gradient: dW = Xᵀ·dY).</summary>
    public static void MatMulTransposeA(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k)
    {
        Validate("Gemm.MatMulTransposeA", a.Length, b.Length, c.Length, m, n, k, k, m, k, n);
        Dispatch(m, n, k, ref MemoryMarshal.GetReference(a), 1, m, ref MemoryMarshal.GetReference(b), n, 1, ref MemoryMarshal.GetReference(c));
    }

    /// <summary>Floating-point operations of one product: 2·m·n·k (one multiply and one add per term).</summary>
    public static double Flops(int m, int n, int k) => 2.0 * m * n * k;

    // a(i, p) = a[i·rsA + p·csA]; b(p, j) = b[p·rsB + j·csB]; C is row-major with ld = n.
    private static void Dispatch(int m, int n, int k, ref float a, nint rsA, nint csA, ref float b, nint rsB, nint csB, ref float c)
    {
        if (m == 0 || n == 0 || k == 0) return;
        if (m == 1 && csB == 1)
        {
            RowTimesMatrix(n, k, ref a, csA, ref b, rsB, ref c);
            return;
        }
        switch (SimdPath.Active)
        {
            case SimdWidth.Vector512:
                Blocked<Simd512, Vector512<float>>(m, n, k, ref a, rsA, csA, ref b, rsB, csB, ref c);
                break;
            case SimdWidth.Vector256:
                Blocked<Simd256, Vector256<float>>(m, n, k, ref a, rsA, csA, ref b, rsB, csB, ref c);
                break;
            default:
                Scalar(m, n, k, ref a, rsA, csA, ref b, rsB, csB, ref c);
                break;
        }
    }

    private static void Validate(string op, int aLength, int bLength, int cLength, int m, int n, int k,
        int aRows, int aCols, int bRows, int bCols)
    {
        if ((m | n | k) < 0 || aLength < (long)aRows * aCols || bLength < (long)bRows * bCols || cLength < (long)m * n)
            ThrowShape(op, aLength, bLength, cLength, m, n, k, aRows, aCols, bRows, bCols);
    }

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowShape(string op, int aLength, int bLength, int cLength, int m, int n, int k,
        int aRows, int aCols, int bRows, int bCols)
    {
        string shapes = $"A [{aRows}×{aCols}] ({aLength} elements given), B [{bRows}×{bCols}] ({bLength} given), C [{m}×{n}] ({cLength} given)";
        if ((m | n | k) < 0)
            throw new ArgumentOutOfRangeException(nameof(m), $"{op}: dimensions must be non-negative (m={m}, n={n}, k={k}); {shapes}.");
        string which = aLength < (long)aRows * aCols ? "a" : bLength < (long)bRows * bCols ? "b" : "c";
        throw new ArgumentException($"{op}: span '{which}' is too short for m={m}, n={n}, k={k}; {shapes}.", which);
    }

    // A single row (a worker's batch-1 policy step): c += Σ_p a(0, p)·B[p, :] as k AXPYs over B's contiguous rows,
    // with no packing, which would cost as much as the product itself at m = 1.
    private static void RowTimesMatrix(int n, int k, ref float a, nint csA, ref float b, nint rsB, ref float c)
    {
        Span<float> row = MemoryMarshal.CreateSpan(ref c, n);
        for (nint p = 0; p < k; p++)
            ElementwiseDriver.Unary<ScaleOp, Accumulate>(new ScaleOp(Unsafe.Add(ref a, p * csA)),
                MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref b, p * rsB), n), row);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Scalar(int m, int n, int k, ref float a, nint rsA, nint csA, ref float b, nint rsB, nint csB, ref float c)
    {
        for (nint i = 0; i < m; i++)
        {
            ref float ci = ref Unsafe.Add(ref c, i * n);
            for (nint p = 0; p < k; p++)
            {
                float aip = Unsafe.Add(ref a, i * rsA + p * csA);
                ref float bp = ref Unsafe.Add(ref b, p * rsB);
                for (nint j = 0; j < n; j++)
                    Unsafe.Add(ref ci, j) = MathF.FusedMultiplyAdd(aip, Unsafe.Add(ref bp, j * csB), Unsafe.Add(ref ci, j));
            }
        }
    }
}

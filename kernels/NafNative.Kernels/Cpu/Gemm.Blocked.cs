using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NafNative.Kernels.Cpu;

public static partial class Gemm
{
    /// <summary>Widest panel in floats: 4 vectors of 16 (AVX-512); AVX2 stops at 3 vectors of 8.</summary>
    private const int MaxPanelWidth = 64;

    private static GemmPlan? _plan;

    /// <summary>The blocking every product uses (process-wide); null (the default): <see cref="GemmPlan.Rule"/> for the
    /// active SIMD width. A plan wider than the active width allows is narrowed to it. Set it from start-up code or
    /// single-threaded test fixtures only, as <see cref="SimdPath.Max"/>.</summary>
    public static GemmPlan? Plan
    {
        get => _plan;
        set
        {
            value?.Validate();
            _plan = value;
        }
    }

    /// <summary>The plan products use now at <paramref name="width"/>: <see cref="Plan"/> narrowed to it, or the rule.</summary>
    public static GemmPlan ActivePlan(SimdWidth width) => _plan is GemmPlan p
        ? p with { MaxVectors = Math.Min(p.MaxVectors, GemmPlan.MostVectors(width)) }
        : GemmPlan.Rule(width);

    /// <summary>Sets <see cref="Plan"/> until the returned scope is disposed (tests, benchmarks comparing plans).</summary>
    public static PlanScope UsePlan(GemmPlan? plan)
    {
        var previous = _plan;
        Plan = plan;
        return new PlanScope(previous);
    }

    /// <summary>Restores the previous <see cref="Plan"/> when disposed.</summary>
    public readonly struct PlanScope : IDisposable
    {
        private readonly GemmPlan? _previous;
        internal PlanScope(GemmPlan? previous) => _previous = previous;
        public void Dispose() => _plan = _previous;
    }

    /// <summary>Loops around the microkernel: column panels of B (packed, zero-padded), depth blocks, 4-row tiles of A.</summary>
    /// <remarks>
    /// Packing B pays twice: the panel is read contiguously by every row tile, and zero padding lets edge panels use
    /// the full-width kernel. A partial panel's last vector is added into C through a lane mask where the hardware
    /// has masked loads/stores, else the tile goes to a small buffer first and its valid part is added. Rows beyond
    /// the last full 4-row tile are packed into a zero-padded 4-row A block for the same reason.
    /// </remarks>
    [SkipLocalsInit]
    private static void Blocked<TS, TV>(int m, int n, int k, ref float a, nint rsA, nint csA, ref float b, nint rsB, nint csB, ref float c)
        where TS : struct, ISimd<TV> where TV : struct
    {
        int w = TS.Width;
        var plan = ActivePlan(w == 16 ? SimdWidth.Vector512 : SimdWidth.Vector256);
        int maxVectors = plan.MaxVectors, depthBlock = plan.DepthBlock;
        Span<float> panel = stackalloc float[depthBlock * maxVectors * w];
        Span<float> tile = stackalloc float[GemmMicroKernel.Rows * MaxPanelWidth];
        Span<float> aEdge = stackalloc float[GemmMicroKernel.Rows * depthBlock];
        ref float panelRef = ref MemoryMarshal.GetReference(panel);
        ref float tileRef = ref MemoryMarshal.GetReference(tile);
        ref float aEdgeRef = ref MemoryMarshal.GetReference(aEdge);
        int fullRows = m - m % GemmMicroKernel.Rows;

        for (int jc = 0, nr; jc < n; jc += nr)
        {
            int vectors = PanelVectors((n - jc + w - 1) / w, maxVectors);
            int stride = vectors * w;
            nr = Math.Min(stride, n - jc);
            bool partial = nr < stride;
            bool masked = partial && TS.CanMask;
            TV mask = TS.FirstLanes(nr - (vectors - 1) * w);
            for (int pc = 0; pc < k; pc += depthBlock)
            {
                int kc = Math.Min(depthBlock, k - pc);
                PackB(ref Unsafe.Add(ref b, pc * rsB + jc * csB), rsB, csB, kc, nr, stride, ref panelRef);
                for (int ic = 0; ic < fullRows; ic += GemmMicroKernel.Rows)
                {
                    ref float aBlock = ref Unsafe.Add(ref a, ic * rsA + pc * csA);
                    ref float cBlock = ref Unsafe.Add(ref c, (nint)ic * n + jc);
                    if (!partial)
                        Tile<TS, TV, FullColumns>(vectors, ref aBlock, rsA, csA, ref panelRef, kc, ref cBlock, n, mask);
                    else if (masked)
                        Tile<TS, TV, MaskedLastColumns>(vectors, ref aBlock, rsA, csA, ref panelRef, kc, ref cBlock, n, mask);
                    else
                    {
                        tile.Clear();
                        Tile<TS, TV, FullColumns>(vectors, ref aBlock, rsA, csA, ref panelRef, kc, ref tileRef, stride, mask);
                        AddTile(ref tileRef, stride, ref cBlock, n, GemmMicroKernel.Rows, nr);
                    }
                }
                if (fullRows < m)
                {
                    int rows = m - fullRows;
                    PackEdgeRows(ref Unsafe.Add(ref a, fullRows * rsA + pc * csA), rsA, csA, rows, kc, ref aEdgeRef);
                    tile.Clear();
                    Tile<TS, TV, FullColumns>(vectors, ref aEdgeRef, 1, GemmMicroKernel.Rows, ref panelRef, kc, ref tileRef, stride, mask);
                    AddTile(ref tileRef, stride, ref Unsafe.Add(ref c, (nint)fullRows * n + jc), n, rows, nr);
                }
            }
        }
    }

    /// <summary>Vectors in the next panel, given the vectors left to cover: as many as fit, except that a single
    /// trailing vector is avoided (5 → 3 + 2, 4 → 2 + 2 at 3 max), as a 1-vector panel has too few FMA chains.</summary>
    private static int PanelVectors(int remaining, int maxVectors) =>
        remaining <= maxVectors ? remaining : remaining == maxVectors + 1 && maxVectors > 1 ? maxVectors - 1 : maxVectors;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile<TS, TV, TE>(int vectors, ref float a, nint rsA, nint csA, ref float panel, int kc, ref float dst, nint ldDst, TV mask)
        where TS : struct, ISimd<TV> where TV : struct where TE : struct, IEdgeMode
    {
        switch (vectors)
        {
            case 4: GemmMicroKernel.Run<TS, TV, Four, TE>(ref a, rsA, csA, ref panel, kc, ref dst, ldDst, mask); break;
            case 3: GemmMicroKernel.Run<TS, TV, Three, TE>(ref a, rsA, csA, ref panel, kc, ref dst, ldDst, mask); break;
            case 2: GemmMicroKernel.Run<TS, TV, Two, TE>(ref a, rsA, csA, ref panel, kc, ref dst, ldDst, mask); break;
            default: GemmMicroKernel.Run<TS, TV, One, TE>(ref a, rsA, csA, ref panel, kc, ref dst, ldDst, mask); break;
        }
    }

    /// <summary>panel[p·stride + j] = b(p, j) for j &lt; nr, zero for nr ≤ j &lt; stride.</summary>
    private static void PackB(ref float b, nint rsB, nint csB, int kc, int nr, int stride, ref float panel)
    {
        if (csB != 1)
        {
            PackBTransposed(ref b, csB, kc, nr, stride, ref panel);
            return;
        }
        for (nint p = 0; p < kc; p++)
        {
            ref float src = ref Unsafe.Add(ref b, p * rsB);
            ref float dst = ref Unsafe.Add(ref panel, p * stride);
            MemoryMarshal.CreateReadOnlySpan(ref src, nr).CopyTo(MemoryMarshal.CreateSpan(ref dst, nr));
            for (nint j = nr; j < stride; j++) Unsafe.Add(ref dst, j) = 0f;
        }
    }

    // Bᵀ packing (b(p, j) = b[j·csB + p]): read four rows of the stored B contiguously along p and write four panel
    // columns at once, instead of a strided gather per element (halves the NT form's packing cost).
    private static void PackBTransposed(ref float b, nint csB, int kc, int nr, int stride, ref float panel)
    {
        nint j = 0;
        for (; j + 4 <= nr; j += 4)
        {
            ref float r0 = ref Unsafe.Add(ref b, j * csB);
            ref float r1 = ref Unsafe.Add(ref r0, csB);
            ref float r2 = ref Unsafe.Add(ref r1, csB);
            ref float r3 = ref Unsafe.Add(ref r2, csB);
            for (nint p = 0; p < kc; p++)
                Vector128.Create(Unsafe.Add(ref r0, p), Unsafe.Add(ref r1, p), Unsafe.Add(ref r2, p), Unsafe.Add(ref r3, p))
                    .StoreUnsafe(ref Unsafe.Add(ref panel, p * stride + j));
        }
        for (nint p = 0; p < kc; p++)
        {
            ref float dst = ref Unsafe.Add(ref panel, p * stride);
            for (nint jj = j; jj < nr; jj++) Unsafe.Add(ref dst, jj) = Unsafe.Add(ref b, jj * csB + p);
            for (nint jj = nr; jj < stride; jj++) Unsafe.Add(ref dst, jj) = 0f;
        }
    }

    /// <summary>edge[p·4 + r] = a(r, p) for r &lt; rows, zero for the padding rows.</summary>
    private static void PackEdgeRows(ref float a, nint rsA, nint csA, int rows, int kc, ref float edge)
    {
        for (nint p = 0; p < kc; p++)
            for (nint r = 0; r < GemmMicroKernel.Rows; r++)
                Unsafe.Add(ref edge, p * GemmMicroKernel.Rows + r) = r < rows ? Unsafe.Add(ref a, r * rsA + p * csA) : 0f;
    }

    private static void AddTile(ref float tile, nint ldTile, ref float c, nint ldc, int rows, int cols)
    {
        for (nint r = 0; r < rows; r++)
        {
            ref float src = ref Unsafe.Add(ref tile, r * ldTile);
            ref float dst = ref Unsafe.Add(ref c, r * ldc);
            for (nint j = 0; j < cols; j++) Unsafe.Add(ref dst, j) += Unsafe.Add(ref src, j);
        }
    }
}

using ILGPU;

namespace NafNative.Kernels.Gpu;

/// <summary>Shared-memory tiled single-precision GEMM in the three forms back-propagation needs (the device twins of
/// <see cref="Cpu.Gemm"/>), with the epilogues an MLP layer needs fused in: bias (ones column), ReLU, ReLU mask.</summary>
/// <remarks>
/// <para>Explicitly grouped: launch with group (TileSize, TileSize) and grid (⌈N/TileSize⌉, ⌈M/TileSize⌉, problems).
/// Thread (x, y) of a group owns C[row0 + y, col0 + x], so consecutive threads write consecutive columns.</para>
/// <para>Each K step loads one TileSize² tile of op(A) and of op(B) into shared memory. The loads are arranged so
/// consecutive threads read consecutive addresses in every form: for a transposed operand the thread's x index
/// walks the stored row and the tile is written transposed (rows padded by one float against bank conflicts).
/// The next step's two elements are fetched into registers before the current step's products run (software
/// pipelining), so the global-load latency overlaps the shared-memory FMA loop instead of preceding it.</para>
/// <para>Sums run over p in tile order, one product at a time: the result differs from the CPU kernels' only by
/// float reassociation (≤ K·2⁻²³·Σ|aᵢbᵢ|).</para>
/// </remarks>
public static class GemmKernels
{
    /// <summary>Side of the square output tile (and of the thread group). Needs 256 threads per group.</summary>
    public const int TileSize = 16;

    private const int Pitch = TileSize + 1;

    /// <summary>C = A·B (forward pass: Y = [X | 1]·[W; b], optionally ReLU).</summary>
    public static void GemmNNKernel(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, ArrayView<float> mask, GemmArgs args) =>
        Tile(a, b, c, mask, args, false, false);

    /// <summary>C = A·Bᵀ (input gradient: dX = dY·Wᵀ, optionally masked by the ReLU output).</summary>
    public static void GemmNTKernel(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, ArrayView<float> mask, GemmArgs args) =>
        Tile(a, b, c, mask, args, false, true);

    /// <summary>C = Aᵀ·B (weight gradient: [dW; db] = [X | 1]ᵀ·dY).</summary>
    public static void GemmTNKernel(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, ArrayView<float> mask, GemmArgs args) =>
        Tile(a, b, c, mask, args, true, false);

    /// <summary>Grid for a launch: (⌈N/T⌉, ⌈M/T⌉, problems or K slices).</summary>
    public static Index3D Grid(int m, int n, int problems) =>
        new((n + TileSize - 1) / TileSize, (m + TileSize - 1) / TileSize, problems);

    /// <summary>The thread group every GEMM launch uses.</summary>
    public static Index3D Group => new(TileSize, TileSize, 1);

    private static void Tile(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, ArrayView<float> mask, GemmArgs g,
        bool transposeA, bool transposeB)
    {
        var aTile = SharedMemory.Allocate<float>(TileSize * Pitch); // aTile[i * Pitch + p] = op(A)[row0 + i, p0 + p]
        var bTile = SharedMemory.Allocate<float>(TileSize * Pitch); // bTile[p * Pitch + j] = op(B)[p0 + p, col0 + j]
        int tx = ILGPU.Group.IdxX, ty = ILGPU.Group.IdxY;
        int row0 = ILGPU.Grid.IdxY * TileSize, col0 = ILGPU.Grid.IdxX * TileSize;
        int slice = g.KSlice;
        long z = slice > 0 ? 0 : ILGPU.Grid.IdxZ;
        long offsetA = g.OffsetA + z * g.ZStrideA, offsetB = g.OffsetB + z * g.ZStrideB;
        int kBegin = slice > 0 ? ILGPU.Grid.IdxZ * slice : 0;
        int kEnd = slice > 0 && kBegin + slice < g.K ? kBegin + slice : g.K;
        float ra = FetchA(a, offsetA, g, transposeA, row0, kBegin, kEnd, tx, ty);
        float rb = FetchB(b, offsetB, g, transposeB, kBegin, col0, kEnd, tx, ty);
        float sum = 0f;
        for (int p0 = kBegin; p0 < kEnd; p0 += TileSize)
        {
            if (!transposeA) aTile[ty * Pitch + tx] = ra; else aTile[tx * Pitch + ty] = ra;
            if (!transposeB) bTile[ty * Pitch + tx] = rb; else bTile[tx * Pitch + ty] = rb;
            ILGPU.Group.Barrier();
            ra = FetchA(a, offsetA, g, transposeA, row0, p0 + TileSize, kEnd, tx, ty);
            rb = FetchB(b, offsetB, g, transposeB, p0 + TileSize, col0, kEnd, tx, ty);
            for (int q = 0; q < TileSize; q++) sum += aTile[ty * Pitch + q] * bTile[q * Pitch + tx];
            ILGPU.Group.Barrier();
        }

        int row = row0 + ty, col = col0 + tx;
        if (row < g.M && col < g.N)
        {
            long at = g.OffsetC + z * g.ZStrideC + (long)row * g.Ldc + col;
            if (slice > 0)
            {
                Atomic.Add(ref c[at], sum);
                return;
            }
            if (g.Mask != 0 && !(mask[g.OffsetMask + z * g.ZStrideMask + (long)row * g.Ldc + col] > 0f)) sum = 0f;
            float value = g.Accumulate != 0 ? c[at] + sum : sum;
            if (g.Relu != 0) value = value > 0f ? value : 0f;
            c[at] = value;
        }
    }

    // op(A)[row0 + ·, p0 + ·] for this thread's slot of the tile (zero outside M × [.., kEnd)).
    private static float FetchA(ArrayView<float> a, long offsetA, GemmArgs g, bool transposeA, int row0, int p0, int kEnd, int tx, int ty)
    {
        if (!transposeA) { int i = row0 + ty, p = p0 + tx; return i < g.M && p < kEnd ? LoadA(a, offsetA, g.Lda, g.Ones, i, p) : 0f; }
        else { int i = row0 + tx, p = p0 + ty; return i < g.M && p < kEnd ? LoadA(a, offsetA, g.Lda, g.Ones, p, i) : 0f; }
    }

    // op(B)[p0 + ·, col0 + ·] for this thread's slot of the tile (zero outside [.., kEnd) × N).
    private static float FetchB(ArrayView<float> b, long offsetB, GemmArgs g, bool transposeB, int p0, int col0, int kEnd, int tx, int ty)
    {
        if (!transposeB) { int p = p0 + ty, j = col0 + tx; return p < kEnd && j < g.N ? b[offsetB + (long)p * g.Ldb + j] : 0f; }
        else { int p = p0 + tx, j = col0 + ty; return p < kEnd && j < g.N ? b[offsetB + (long)j * g.Ldb + p] : 0f; }
    }

    // A as stored: element (r, s) of rows of Lda floats; s == Lda is the virtual ones column when Ones = 1.
    private static float LoadA(ArrayView<float> a, long offset, int lda, int ones, int r, int s) =>
        ones != 0 && s == lda ? 1f : a[offset + (long)r * lda + s];
}

using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NafNative.Kernels.Cpu;

// Lane-parallel NAF advantage: a tile of W samples (16 for Vector512, 8 for Vector256) is transposed into
// struct-of-arrays stack buffers, x[c·W + s] = row s's element c, so every per-sample scalar of the per-sample loops
// becomes one vector holding that scalar for W samples, and tanh/exp run on contiguous columns via TensorPrimitives.
// Forward performs ForwardScalar's FMAs in its order, lane by lane. Backward computes the tile's ∂Q/∂head into a
// buffer that it then adds to dHead's rows (every element is written first), where BackwardScalar fuses each add
// into its last FMA: one extra rounding of the sum, so dHead needs no transpose in, only out.
public static partial class NafAdvantage
{
    /// <summary>Largest n the lane-parallel tiles handle (their transposed head tile lives on the stack, 9.8 KB at
    /// n = 16); larger n run per sample.</summary>
    public const int MaxTileActions = 16;

    private const int MaxLanes = 16;
    private const int MaxTileHeadWidth = 1 + MaxTileActions + MaxTileActions * (MaxTileActions + 1) / 2;

    /// <summary>Runs the forward pass on whole tiles of samples; returns how many samples it did (a multiple of the
    /// lane count, 0 on the scalar path or for n &gt; <see cref="MaxTileActions"/>).</summary>
    private static int ForwardTiles(ReadOnlySpan<float> head, ReadOnlySpan<float> actions, int batch, int n, Span<float> q, Span<float> saved)
    {
        if (n > MaxTileActions) return 0;
        return SimdPath.Active switch
        {
            SimdWidth.Vector512 => ForwardTiles<Simd512, Vector512<float>>(head, actions, batch, n, q, saved),
            SimdWidth.Vector256 => ForwardTiles<Simd256, Vector256<float>>(head, actions, batch, n, q, saved),
            _ => 0,
        };
    }

    /// <summary>Runs the backward pass on the same whole tiles as <see cref="ForwardTiles"/>; returns how many samples it did.</summary>
    private static int BackwardTiles(ReadOnlySpan<float> head, ReadOnlySpan<float> actions, ReadOnlySpan<float> saved,
        ReadOnlySpan<float> dq, int batch, int n, Span<float> dHead)
    {
        if (n > MaxTileActions) return 0;
        return SimdPath.Active switch
        {
            SimdWidth.Vector512 => BackwardTiles<Simd512, Vector512<float>>(head, actions, saved, dq, batch, n, dHead),
            SimdWidth.Vector256 => BackwardTiles<Simd256, Vector256<float>>(head, actions, saved, dq, batch, n, dHead),
            _ => 0,
        };
    }

    [SkipLocalsInit]
    private static int ForwardTiles<TS, TV>(ReadOnlySpan<float> head, ReadOnlySpan<float> actions, int batch, int n,
        Span<float> q, Span<float> saved)
        where TS : struct, ISimd<TV> where TV : struct
    {
        int lanes = TS.Width;
        int tiles = batch / lanes;
        if (tiles == 0) return 0;
        int width = HeadWidth(n), nl = n * lanes;
        nint w = lanes;
        Span<float> h = stackalloc float[MaxTileHeadWidth * MaxLanes];
        Span<float> d = stackalloc float[MaxTileActions * MaxLanes];    // u, then d = u − μ in place
        Span<float> mu = stackalloc float[MaxTileActions * MaxLanes];
        Span<float> diag = stackalloc float[MaxTileActions * MaxLanes]; // exp of L's diagonal entries
        Span<float> z = stackalloc float[MaxTileActions * MaxLanes];
        ref float hr = ref MemoryMarshal.GetReference(h);
        ref float dr = ref MemoryMarshal.GetReference(d);
        ref float mur = ref MemoryMarshal.GetReference(mu);
        ref float diagr = ref MemoryMarshal.GetReference(diag);
        ref float zr = ref MemoryMarshal.GetReference(z);
        ref float entries = ref Unsafe.Add(ref hr, (1 + n) * w);
        ref float headRef = ref MemoryMarshal.GetReference(head);
        ref float actionRef = ref MemoryMarshal.GetReference(actions);
        ref float qRef = ref MemoryMarshal.GetReference(q);
        ref float savedRef = ref MemoryMarshal.GetReference(saved);

        for (int b0 = 0; b0 < tiles * lanes; b0 += lanes)
        {
            ToColumns<TS, TV>(ref Unsafe.Add(ref headRef, (nint)b0 * width), width, width, ref hr);
            ToColumns<TS, TV>(ref Unsafe.Add(ref actionRef, (nint)b0 * n), n, n, ref dr);
            for (int i = 0; i < n; i++)
                TS.Store(TS.Load(ref entries, DiagonalIndex(i) * w), ref diagr, i * w);
            TensorPrimitives.Exp(diag[..nl], diag[..nl]);
            TensorPrimitives.Tanh(h.Slice(lanes, nl), mu[..nl]);
            for (int i = 0; i < n; i++)
                TS.Store(TS.Subtract(TS.Load(ref dr, i * w), TS.Load(ref mur, i * w)), ref dr, i * w);

            // z_j = exp(L_jj)·d_j + Σ_{i > j} L[i, j]·d_i (the scalar loop's order), and a = Σ_j z_j².
            TV a = TS.Zero;
            for (int j = 0; j < n; j++)
            {
                TV zj = TS.Multiply(TS.Load(ref diagr, j * w), TS.Load(ref dr, j * w));
                for (int i = j + 1, t = DiagonalIndex(j + 1) - 1; i < n; t += ++i)
                    zj = TS.Fma(TS.Load(ref entries, t * w), TS.Load(ref dr, i * w), zj);
                TS.Store(zj, ref zr, j * w);
                a = TS.Fma(zj, zj, a);
            }
            TS.Store(TS.Subtract(TS.Load(ref hr, 0), TS.Multiply(TS.Broadcast(0.5f), a)), ref qRef, b0);
            ref float savedTile = ref Unsafe.Add(ref savedRef, (nint)b0 * 2 * n);
            ToRows<TS, TV, Assign>(ref mur, n, ref savedTile, 2 * n);
            ToRows<TS, TV, Assign>(ref zr, n, ref Unsafe.Add(ref savedTile, n), 2 * n);
        }
        return tiles * lanes;
    }

    [SkipLocalsInit]
    private static int BackwardTiles<TS, TV>(ReadOnlySpan<float> head, ReadOnlySpan<float> actions, ReadOnlySpan<float> saved,
        ReadOnlySpan<float> dq, int batch, int n, Span<float> dHead)
        where TS : struct, ISimd<TV> where TV : struct
    {
        int lanes = TS.Width;
        int tiles = batch / lanes;
        if (tiles == 0) return 0;
        int width = HeadWidth(n), nl = n * lanes;
        nint w = lanes;
        Span<float> h = stackalloc float[MaxTileHeadWidth * MaxLanes];
        Span<float> g = stackalloc float[MaxTileHeadWidth * MaxLanes];     // this tile's ∂Q/∂head, then added to dHead
        Span<float> u = stackalloc float[MaxTileActions * MaxLanes];
        Span<float> s = stackalloc float[2 * MaxTileActions * MaxLanes]; // saved: μ, then z (turned into w in place)
        Span<float> diag = stackalloc float[MaxTileActions * MaxLanes];
        ref float hr = ref MemoryMarshal.GetReference(h);
        ref float gr = ref MemoryMarshal.GetReference(g);
        ref float ur = ref MemoryMarshal.GetReference(u);
        ref float mur = ref MemoryMarshal.GetReference(s);
        ref float wr = ref Unsafe.Add(ref mur, n * w);
        ref float diagr = ref MemoryMarshal.GetReference(diag);
        ref float entries = ref Unsafe.Add(ref hr, (1 + n) * w);
        ref float gEntries = ref Unsafe.Add(ref gr, (1 + n) * w);
        ref float headRef = ref MemoryMarshal.GetReference(head);
        ref float actionRef = ref MemoryMarshal.GetReference(actions);
        ref float savedRef = ref MemoryMarshal.GetReference(saved);
        ref float dqRef = ref MemoryMarshal.GetReference(dq);
        ref float dHeadRef = ref MemoryMarshal.GetReference(dHead);
        TV one = TS.Broadcast(1f);

        for (int b0 = 0; b0 < tiles * lanes; b0 += lanes)
        {
            ref float dHeadTile = ref Unsafe.Add(ref dHeadRef, (nint)b0 * width);
            // Only L's entries: V and μ's pre-activations are not needed here (μ is saved).
            ToColumns<TS, TV>(ref Unsafe.Add(ref headRef, (nint)b0 * width + 1 + n), width, width - 1 - n, ref entries);
            ToColumns<TS, TV>(ref Unsafe.Add(ref actionRef, (nint)b0 * n), n, n, ref ur);
            ToColumns<TS, TV>(ref Unsafe.Add(ref savedRef, (nint)b0 * 2 * n), 2 * n, 2 * n, ref mur);
            for (int i = 0; i < n; i++)
                TS.Store(TS.Load(ref entries, DiagonalIndex(i) * w), ref diagr, i * w);
            TensorPrimitives.Exp(diag[..nl], diag[..nl]);

            TV gq = TS.Load(ref dqRef, b0);
            TS.Store(gq, ref gr, 0);                                              // ∂Q/∂V = 1
            TV minusGq = TS.Subtract(TS.Zero, gq);
            for (int j = 0; j < n; j++)                                          // w_j = −dQ·z_j
                TS.Store(TS.Multiply(minusGq, TS.Load(ref wr, j * w)), ref wr, j * w);
            for (int i = 0, t = 0; i < n; i++, t++)
            {
                TV mu = TS.Load(ref mur, i * w);
                TV d = TS.Subtract(TS.Load(ref ur, i * w), mu);
                TV dd = TS.Zero;                                                 // ∂Q/∂d_i = Σ_{j ≤ i} L[i, j]·w_j
                for (int j = 0; j < i; j++, t++)
                {
                    TV wj = TS.Load(ref wr, j * w);
                    TS.Store(TS.Multiply(wj, d), ref gEntries, t * w);
                    dd = TS.Fma(TS.Load(ref entries, t * w), wj, dd);
                }
                TV diagonal = TS.Load(ref diagr, i * w);
                TV wi = TS.Load(ref wr, i * w);
                TS.Store(TS.Multiply(TS.Multiply(wi, d), diagonal), ref gEntries, t * w);
                dd = TS.Fma(diagonal, wi, dd);
                // d = u − μ and μ = tanh(pre): ∂/∂pre = −dd·(1 − μ²).
                ref float gPre = ref Unsafe.Add(ref gr, (1 + i) * w);
                TS.Store(TS.Subtract(TS.Zero, TS.Multiply(dd, TS.Subtract(one, TS.Multiply(mu, mu)))), ref gPre, 0);
            }
            ToRows<TS, TV, Accumulate>(ref gr, width, ref dHeadTile, width);
        }
        return tiles * lanes;
    }

    /// <summary>Packed index of L[i, i]: i(i+1)/2 + i.</summary>
    private static int DiagonalIndex(int i) => i * (i + 3) / 2;

    /// <summary>columns[c·lanes + s] = rows[s·rowStride + c] for s &lt; lanes, c &lt; count.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ToColumns<TS, TV>(ref float rows, nint rowStride, int count, ref float columns)
        where TS : struct, ISimd<TV> where TV : struct
    {
        // Row by row: contiguous loads, stores strided by the (constant) lane count into an L1-resident tile.
        for (nint s = 0; s < TS.Width; s++)
        {
            ref float row = ref Unsafe.Add(ref rows, s * rowStride);
            ref float column = ref Unsafe.Add(ref columns, s);
            for (nint c = 0; c < count; c++)
            {
                column = Unsafe.Add(ref row, c);
                column = ref Unsafe.Add(ref column, TS.Width);
            }
        }
    }

    /// <summary>rows[s·rowStride + c] = (or +=) columns[c·lanes + s] for s &lt; lanes, c &lt; count.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ToRows<TS, TV, TMode>(ref float columns, int count, ref float rows, nint rowStride)
        where TS : struct, ISimd<TV> where TV : struct where TMode : struct, IStoreMode
    {
        for (nint s = 0; s < TS.Width; s++)
        {
            ref float row = ref Unsafe.Add(ref rows, s * rowStride);
            ref float column = ref Unsafe.Add(ref columns, s);
            for (nint c = 0; c < count; c++)
            {
                Unsafe.Add(ref row, c) = TMode.Adds ? Unsafe.Add(ref row, c) + column : column;
                column = ref Unsafe.Add(ref column, TS.Width);
            }
        }
    }
}

using System.Runtime.InteropServices;

namespace NafNative.Kernels.Gpu;

/// <summary>Shape, strides and epilogue of one launch of a <see cref="GemmKernels"/> product.</summary>
/// <remarks>
/// <para>C[M×N] = epilogue(op(A)[M×K] · op(B)[K×N]), all row-major with leading dimensions <see cref="Lda"/>,
/// <see cref="Ldb"/>, <see cref="Ldc"/> (elements between rows as stored).</para>
/// <para><see cref="Ones"/> = 1 appends a virtual column of ones to A <i>as stored</i>, at column index Lda: in the
/// NN form that makes X·W + b one product over [X | 1]·[W; b] (K = in + 1); in the TN form it makes the last row
/// of C = [X | 1]ᵀ·dY the bias gradient Σ_rows dY (M = in + 1). The flat parameter vector stores each layer's
/// bias right after its weight, so [W; b] and [dW; db] are contiguous.</para>
/// <para>Grid z selects one of several independent problems (the online and target networks in one launch):
/// problem z reads A at OffsetA + z·ZStrideA, and likewise for B, C and the mask — unless <see cref="KSlice"/> is
/// set, when z splits K instead.</para>
/// </remarks>
[StructLayout(LayoutKind.Sequential)]
public struct GemmArgs
{
    public int M, N, K;
    public int Lda, Ldb, Ldc;
    /// <summary>1: A has a virtual ones column at index Lda (bias folded into the product).</summary>
    public int Ones;
    /// <summary>1: C += result; 0: C = result.</summary>
    public int Accumulate;
    /// <summary>1: max(·, 0) on the final value (a hidden layer's forward pass).</summary>
    public int Relu;
    /// <summary>1: the product is zeroed where mask ≤ 0 before it is added (ReLU backward, mask = the layer's output).</summary>
    public int Mask;
    /// <summary>Split-K: when &gt; 0, grid z indexes slices of K this long (a multiple of the tile size) instead of
    /// problems, and each slice adds its partial product into C with an atomic add (C must hold the start value:
    /// zero it first for a plain product). No ReLU or mask with split-K. Lets a weight gradient, whose K is the
    /// batch, use many groups instead of a handful looping over the whole batch.</summary>
    public int KSlice;
    public long OffsetA, OffsetB, OffsetC, OffsetMask;
    public long ZStrideA, ZStrideB, ZStrideC, ZStrideMask;

    /// <summary>A dense product with no epilogue: C (+)= op(A)·op(B), lda/ldb/ldc implied by the form.</summary>
    public static GemmArgs Dense(int m, int n, int k, bool transposeA, bool transposeB, bool accumulate) => new()
    {
        M = m, N = n, K = k,
        Lda = transposeA ? m : k,
        Ldb = transposeB ? k : n,
        Ldc = n,
        Accumulate = accumulate ? 1 : 0,
    };
}

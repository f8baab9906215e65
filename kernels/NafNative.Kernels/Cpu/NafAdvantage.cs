using System.Runtime.CompilerServices;

namespace NafNative.Kernels.Cpu;

/// <summary>NAF's quadratic advantage, fused: Q = V + A with A(x,u) = −½ ‖Lᵀ(u − μ)‖², μ = tanh(head), and L
/// lower-triangular with exp() on its diagonal — computed without ever forming P = L·Lᵀ.</summary>
/// <remarks>
/// <para>Each row of <c>head</c> is one sample's network output, laid out as [V | μ pre-activation (n) |
/// L entries (n(n+1)/2), packed row by row: L[i, j] (j ≤ i) at i(i+1)/2 + j]. Row stride is the head width
/// 1 + n + n(n+1)/2.</para>
/// <para>Forward keeps μ and z = Lᵀ(u − μ) per sample (2n floats) for the backward pass, which then costs one more
/// pass over L: with w = −dQ·z, dL[i,j] = w_j·d_i (times L[i,i] on the diagonal, the exp's derivative) and
/// dμ_i = −Σ_{j≤i} L[i,j]·w_j, then through tanh. Per sample the work is O(n²) (n = 7: ~80 FMAs forward).</para>
/// <para>The work is tiny but, per sample and scalar (with scalar tanh/exp), it cost ~15% of a whole update; so for
/// n ≤ <see cref="MaxTileActions"/> whole tiles of 16 (Vector512) or 8 (Vector256) samples run lane-parallel, one
/// sample per lane (NafAdvantage.Tiles.cs). The remaining samples, and <see cref="SimdWidth.Scalar"/>, take the
/// per-sample loops below; both perform the same FMAs in the same order, only tanh and exp differ by an ulp or two.</para>
/// </remarks>
public static partial class NafAdvantage
{
    /// <summary>Largest action dimension supported (one row of n floats lives on the stack in the backward pass).</summary>
    public const int MaxActions = 64;

    /// <summary>Width of one head row for n action dimensions: 1 + n + n(n+1)/2.</summary>
    public static int HeadWidth(int n) => 1 + n + n * (n + 1) / 2;

    /// <summary>Floats of per-sample state <see cref="Forward"/> saves for <see cref="Backward"/>: μ and z.</summary>
    public static int SavedWidth(int n) => 2 * n;

    /// <summary>q[b] = V_b + A_b for every sample; saves μ_b and z_b into <paramref name="saved"/> [batch × 2n].</summary>
    public static void Forward(ReadOnlySpan<float> head, ReadOnlySpan<float> actions, int batch, int n, Span<float> q, Span<float> saved)
    {
        Validate("NafAdvantage.Forward", head.Length, actions.Length, q.Length, saved.Length, batch, n);
        int done = ForwardTiles(head, actions, batch, n, q, saved);
        ForwardScalar(head, actions, done, batch, n, q, saved);
    }

    private static void ForwardScalar(ReadOnlySpan<float> head, ReadOnlySpan<float> actions, int start, int batch, int n,
        Span<float> q, Span<float> saved)
    {
        int width = HeadWidth(n);
        for (int b = start; b < batch; b++)
        {
            ReadOnlySpan<float> h = head.Slice(b * width, width);
            ReadOnlySpan<float> u = actions.Slice(b * n, n);
            Span<float> mu = saved.Slice(b * 2 * n, n);
            Span<float> z = saved.Slice(b * 2 * n + n, n);
            for (int i = 0; i < n; i++) mu[i] = MathF.Tanh(h[1 + i]);
            ReadOnlySpan<float> entries = h.Slice(1 + n);
            z.Clear();
            // z_j = Σ_{i ≥ j} L[i, j]·d_i, walking L row by row so the packed entries are read in order.
            for (int i = 0, t = 0; i < n; i++)
            {
                float d = u[i] - mu[i];
                for (int j = 0; j < i; j++, t++) z[j] = MathF.FusedMultiplyAdd(entries[t], d, z[j]);
                z[i] = MathF.FusedMultiplyAdd(MathF.Exp(entries[t]), d, z[i]);
                t++;
            }
            float a = 0f;
            for (int j = 0; j < n; j++) a = MathF.FusedMultiplyAdd(z[j], z[j], a);
            q[b] = h[0] - 0.5f * a;
        }
    }

    /// <summary>dHead += ∂(Σ_b dQ_b·Q_b)/∂head, from the forward pass's saved μ and z.</summary>
    public static void Backward(ReadOnlySpan<float> head, ReadOnlySpan<float> actions, ReadOnlySpan<float> saved,
        ReadOnlySpan<float> dq, int batch, int n, Span<float> dHead)
    {
        Validate("NafAdvantage.Backward", head.Length, actions.Length, dq.Length, saved.Length, batch, n);
        Check.Same("NafAdvantage.Backward", "head", head.Length, "dHead", dHead.Length);
        int done = BackwardTiles(head, actions, saved, dq, batch, n, dHead);
        BackwardScalar(head, actions, saved, dq, done, batch, n, dHead);
    }

    private static void BackwardScalar(ReadOnlySpan<float> head, ReadOnlySpan<float> actions, ReadOnlySpan<float> saved,
        ReadOnlySpan<float> dq, int start, int batch, int n, Span<float> dHead)
    {
        int width = HeadWidth(n);
        Span<float> w = stackalloc float[MaxActions];
        for (int b = start; b < batch; b++)
        {
            ReadOnlySpan<float> h = head.Slice(b * width, width);
            ReadOnlySpan<float> u = actions.Slice(b * n, n);
            ReadOnlySpan<float> mu = saved.Slice(b * 2 * n, n);
            ReadOnlySpan<float> z = saved.Slice(b * 2 * n + n, n);
            Span<float> g = dHead.Slice(b * width, width);
            float gq = dq[b];
            g[0] += gq;                                   // ∂Q/∂V = 1
            for (int j = 0; j < n; j++) w[j] = -gq * z[j]; // ∂Q/∂z_j = −z_j
            ReadOnlySpan<float> entries = h.Slice(1 + n);
            Span<float> gEntries = g.Slice(1 + n);
            for (int i = 0, t = 0; i < n; i++)
            {
                float d = u[i] - mu[i];
                float dd = 0f;                             // ∂Q/∂d_i = Σ_{j ≤ i} L[i, j]·w_j
                for (int j = 0; j < i; j++, t++)
                {
                    gEntries[t] = MathF.FusedMultiplyAdd(w[j], d, gEntries[t]);
                    dd = MathF.FusedMultiplyAdd(entries[t], w[j], dd);
                }
                float diagonal = MathF.Exp(entries[t]);
                gEntries[t] = MathF.FusedMultiplyAdd(w[i] * d, diagonal, gEntries[t]);
                dd = MathF.FusedMultiplyAdd(diagonal, w[i], dd);
                t++;
                // d = u − μ and μ = tanh(pre): ∂/∂pre = −dd·(1 − μ²).
                g[1 + i] -= dd * (1f - mu[i] * mu[i]);
            }
        }
    }

    /// <summary>The greedy action μ(x) = tanh(head[1..n]) of one head row (the workers' batch-1 path).</summary>
    public static void GreedyAction(ReadOnlySpan<float> headRow, int n, Span<float> action)
    {
        if (headRow.Length < HeadWidth(n) || action.Length != n)
            ThrowGreedy(headRow.Length, action.Length, n);
        Activations.Tanh(headRow.Slice(1, n), action);
    }

    private static void Validate(string op, int headLength, int actionLength, int qLength, int savedLength, int batch, int n)
    {
        // Checked in Forward too, so a forward pass never succeeds whose Backward must fail (and HeadWidth cannot overflow).
        if (n > MaxActions) throw new ArgumentOutOfRangeException(nameof(n), n, $"{op}: n must be at most {MaxActions}.");
        if (batch < 0 || n <= 0 || headLength != (long)batch * HeadWidth(n) || actionLength != (long)batch * n
            || qLength != batch || savedLength != (long)batch * SavedWidth(n))
            ThrowShapes(op, headLength, actionLength, qLength, savedLength, batch, n);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowShapes(string op, int headLength, int actionLength, int qLength, int savedLength, int batch, int n) =>
        throw new ArgumentException(
            $"{op}: for batch {batch} and n = {n} expected head [{batch}×{(n > 0 ? HeadWidth(n) : 0)}], actions [{batch}×{n}], " +
            $"q/dQ [{batch}], saved [{batch}×{2 * n}]; got head [{headLength}], actions [{actionLength}], q/dQ [{qLength}], saved [{savedLength}].");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowGreedy(int headLength, int actionLength, int n) =>
        throw new ArgumentException($"NafAdvantage.GreedyAction: head row [{headLength}] must hold [{HeadWidth(n)}] and action [{actionLength}] must be [{n}].");
}

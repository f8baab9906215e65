using ILGPU;
using ILGPU.Algorithms;

namespace NafNative.Kernels.Gpu;

/// <summary>NAF's quadratic advantage on the device, one thread per sample (the twins of
/// <see cref="Cpu.NafAdvantage"/>), and the fused TD step the trainer launches: y = r + γ(1 − terminated)·V′,
/// Q = V + A, squared error, dQ = 2(Q − y)/B and the advantage backward into dHead, in one pass.</summary>
/// <remarks>
/// <para>Head rows are [V | μ pre-tanh (n) | L packed row by row, exp on the diagonal], width 1 + n + n(n+1)/2.
/// μ and z = Lᵀ(u − μ) are kept per sample in <c>saved</c> [batch × 2n] (global memory: no per-thread arrays),
/// exactly as the CPU kernel keeps them. P = L·Lᵀ is never formed.</para>
/// <para>Per sample the work is O(n²) (n = 7: ~80 multiply-adds), tiny next to the GEMMs; one thread per sample
/// keeps the packed-L walk identical to the CPU's and needs no synchronisation.</para>
/// </remarks>
public static class NafKernels
{
    /// <summary>q[b] = V_b + A_b; saves μ_b, z_b (index = b).</summary>
    public static void AdvantageForwardKernel(Index1D index, ArrayView<float> head, ArrayView<float> actions, int n,
        ArrayView<float> q, ArrayView<float> saved)
    {
        int width = 1 + n + n * (n + 1) / 2;
        q[index] = Forward(head, (long)index.X * width, actions, (long)index.X * n, n, saved, (long)index.X * 2 * n);
    }

    /// <summary>dHead[b] += ∂(dQ_b·Q_b)/∂head_b from the saved μ_b, z_b (index = b).</summary>
    public static void AdvantageBackwardKernel(Index1D index, ArrayView<float> head, ArrayView<float> actions,
        ArrayView<float> saved, ArrayView<float> dq, int n, ArrayView<float> dHead)
    {
        int width = 1 + n + n * (n + 1) / 2;
        Backward(head, (long)index.X * width, actions, (long)index.X * n, saved, (long)index.X * 2 * n, dq[index], n,
            dHead, (long)index.X * width, accumulate: true);
    }

    /// <summary>The whole loss side of one update for sample b (index = b), from a head buffer holding the online
    /// rows [0, B) and the target rows [B, 2B).</summary>
    /// <remarks>y = r + γ(1 − t)·V′(x′); Q = V + A; squared[b] = (Q − y)²; dQ = (2/B)(Q − y);
    /// dHead[b] = ∂(dQ·Q)/∂head (written, not accumulated: the row is wholly owned by this thread).
    /// batch layout: [x (B×obs) | x′ (B×obs) | u (B×n) | r (B) | terminated (B)] starting at 0.</remarks>
    public static void TdStepKernel(Index1D index, ArrayView<float> head, ArrayView<float> batchData, int batch,
        int observationSize, int n, float discount, ArrayView<float> saved, ArrayView<float> squared, ArrayView<float> dHead)
    {
        int width = 1 + n + n * (n + 1) / 2;
        long actionsAt = 2L * batch * observationSize;
        long rewardsAt = actionsAt + (long)batch * n;
        long terminatedAt = rewardsAt + batch;
        float y = batchData[rewardsAt + index.X] + discount * (1f - batchData[terminatedAt + index.X]) * head[(long)(batch + index.X) * width];
        float q = Forward(head, (long)index.X * width, batchData, actionsAt + (long)index.X * n, n, saved, (long)index.X * 2 * n);
        float difference = q - y;
        squared[index] = difference * difference;
        float dq = 2f / batch * difference;
        Backward(head, (long)index.X * width, batchData, actionsAt + (long)index.X * n, saved, (long)index.X * 2 * n, dq, n,
            dHead, (long)index.X * width, accumulate: false);
    }

    private static float Forward(ArrayView<float> head, long h, ArrayView<float> actions, long u, int n,
        ArrayView<float> saved, long s)
    {
        long entries = h + 1 + n;
        for (int i = 0; i < n; i++)
        {
            saved[s + i] = XMath.Tanh(head[h + 1 + i]);
            saved[s + n + i] = 0f;
        }
        // z_j = Σ_{i ≥ j} L[i, j]·d_i, walking L row by row so the packed entries are read in order.
        for (int i = 0, t = 0; i < n; i++)
        {
            float d = actions[u + i] - saved[s + i];
            for (int j = 0; j < i; j++, t++) saved[s + n + j] += head[entries + t] * d;
            saved[s + n + i] += XMath.Exp(head[entries + t]) * d;
            t++;
        }
        float a = 0f;
        for (int j = 0; j < n; j++)
        {
            float zj = saved[s + n + j];
            a += zj * zj;
        }
        return head[h] - 0.5f * a;
    }

    // With w = −dQ·z: dL[i,j] = w_j·d_i (× L[i,i] on the diagonal), dμ_i = −Σ_{j≤i} L[i,j]·w_j, then through tanh.
    private static void Backward(ArrayView<float> head, long h, ArrayView<float> actions, long u, ArrayView<float> saved, long s,
        float dq, int n, ArrayView<float> dHead, long g, bool accumulate)
    {
        long entries = h + 1 + n, gEntries = g + 1 + n;
        dHead[g] = accumulate ? dHead[g] + dq : dq;
        for (int i = 0, t = 0; i < n; i++)
        {
            float mu = saved[s + i];
            float d = actions[u + i] - mu;
            float dd = 0f;
            for (int j = 0; j < i; j++, t++)
            {
                float w = -dq * saved[s + n + j];
                float entry = w * d;
                dHead[gEntries + t] = accumulate ? dHead[gEntries + t] + entry : entry;
                dd += head[entries + t] * w;
            }
            float wi = -dq * saved[s + n + i];
            float diagonal = XMath.Exp(head[entries + t]);
            float diagonalEntry = wi * d * diagonal;
            dHead[gEntries + t] = accumulate ? dHead[gEntries + t] + diagonalEntry : diagonalEntry;
            dd += diagonal * wi;
            t++;
            float dPre = -dd * (1f - mu * mu);
            dHead[g + 1 + i] = accumulate ? dHead[g + 1 + i] + dPre : dPre;
        }
    }
}

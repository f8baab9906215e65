namespace NafNative.Replay;

/// <summary>A sum tree over a fixed number of non-negative priorities (a power of two): set one in O(log n), find the
/// leaf where a running sum crosses a value in O(log n), so sampling proportionally to priority costs O(log n) a row
/// (Schaul et al. 2016, "Prioritized Experience Replay", appendix B.2.1).</summary>
/// <remarks>
/// <para>Node k holds the sum of its two children 2k and 2k + 1; leaf i is node n + i; the root (node 1) is the total.
/// Sums are doubles and every parent is recomputed from its children (not adjusted by a delta), so a million updates
/// leave no drift.</para>
/// <para>Not thread-safe: one owner (the learner thread) sets and samples. Nothing allocates after construction.</para>
/// </remarks>
public sealed class PrioritySumTree
{
    private readonly double[] _nodes;

    /// <summary>Creates a tree of <paramref name="leaves"/> zero priorities.</summary>
    /// <param name="leaves">A power of two in [1, <see cref="ReplayRing.MaxCapacity"/>].</param>
    public PrioritySumTree(int leaves)
    {
        if (leaves <= 0 || leaves > ReplayRing.MaxCapacity || !int.IsPow2(leaves))
            throw new ArgumentOutOfRangeException(nameof(leaves), leaves,
                $"PrioritySumTree: leaves must be a power of two in [1, {ReplayRing.MaxCapacity}], got {leaves}.");
        Leaves = leaves;
        _nodes = new double[2 * leaves];
    }

    /// <summary>Number of priorities.</summary>
    public int Leaves { get; }

    /// <summary>The sum of every priority.</summary>
    public double Total => _nodes[1];

    /// <summary>Leaf <paramref name="index"/>'s priority.</summary>
    public double this[int index] => _nodes[Leaves + CheckIndex(index)];

    /// <summary>Sets leaf <paramref name="index"/>'s priority.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is outside [0, Leaves), or the priority is negative,
    /// NaN or ∞; the tree is left unchanged.</exception>
    public void Set(int index, double priority)
    {
        CheckIndex(index);
        if (!(priority >= 0 && double.IsFinite(priority)))
            throw new ArgumentOutOfRangeException(nameof(priority), priority,
                $"PrioritySumTree.Set: priority of leaf {index} must be finite and ≥ 0, got {priority}.");
        int node = Leaves + index;
        _nodes[node] = priority;
        for (node >>= 1; node >= 1; node >>= 1) _nodes[node] = _nodes[2 * node] + _nodes[2 * node + 1];
    }

    /// <summary>The leaf i whose priority interval [Σ_{j&lt;i} p_j, Σ_{j≤i} p_j) holds <paramref name="value"/>, for
    /// value in [0, <see cref="Total"/>); a value at or past the total (rounding) gives the last positive leaf.</summary>
    /// <remarks>Never returns a zero-priority leaf while <see cref="Total"/> &gt; 0: a descent into a child whose
    /// sum is 0 (possible only through rounding at an interval's edge) takes the other child.</remarks>
    /// <exception cref="InvalidOperationException">Every priority is 0.</exception>
    public int Find(double value)
    {
        if (!(_nodes[1] > 0))
            throw new InvalidOperationException("PrioritySumTree.Find: every priority is 0; set one before sampling.");
        int node = 1;
        while (node < Leaves)
        {
            int left = 2 * node;
            double leftSum = _nodes[left];
            if (value < leftSum || _nodes[left + 1] <= 0)
            {
                node = left;
                if (value >= leftSum) value = Math.BitDecrement(leftSum); // only when the right side is empty
            }
            else
            {
                value -= leftSum;
                node = left + 1;
            }
        }
        return node - Leaves;
    }

    private int CheckIndex(int index)
    {
        if ((uint)index >= (uint)Leaves)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"PrioritySumTree: leaf index must be in [0, {Leaves}), got {index}.");
        return index;
    }
}

namespace NafNative.Replay;

/// <summary>Caller-owned buffers that <see cref="ReplayRing.TrySample"/> fills with one batch of transitions.</summary>
/// <remarks>
/// <para>Shapes (row-major, batch-first): <see cref="Observations"/> and <see cref="NextObservations"/> [Size × obs],
/// <see cref="Actions"/> [Size × act], <see cref="Rewards"/>, <see cref="Terminated"/>, <see cref="Truncated"/> (0 or 1)
/// and <see cref="Tickets"/> [Size]. All are allocated here, once.</para>
/// <para>Thread-safety: none; one sampler thread owns a batch (give each sampler its own).</para>
/// </remarks>
public sealed class ReplayBatch
{
    /// <summary>Allocates the buffers for <paramref name="size"/> transitions of the given sizes.</summary>
    public ReplayBatch(int size, int observationSize, int actionSize)
    {
        if (size <= 0)
            throw new ArgumentOutOfRangeException(nameof(size), size, $"ReplayBatch: size must be at least 1, got {size}.");
        if (observationSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(observationSize), observationSize,
                $"ReplayBatch: observationSize must be at least 1, got {observationSize}.");
        if (actionSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(actionSize), actionSize,
                $"ReplayBatch: actionSize must be at least 1, got {actionSize}.");
        if ((long)size * observationSize > Array.MaxLength || (long)size * actionSize > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(size), size,
                $"ReplayBatch: {size} rows × {Math.Max(observationSize, actionSize)} floats exceeds one array; use a smaller batch.");

        Size = size;
        ObservationSize = observationSize;
        ActionSize = actionSize;
        Observations = new float[size * observationSize];
        Actions = new float[size * actionSize];
        Rewards = new float[size];
        NextObservations = new float[size * observationSize];
        Terminated = new float[size];
        Truncated = new float[size];
        Tickets = new long[size];
        Slots = new int[size];
        NextSlots = new int[size];
    }

    /// <summary>Allocates a batch shaped for <paramref name="ring"/>'s transitions.</summary>
    public ReplayBatch(int size, ReplayRing ring)
        : this(size, (ring ?? throw new ArgumentNullException(nameof(ring))).ObservationSize, ring.ActionSize)
    {
    }

    /// <summary>Transitions per batch (rows).</summary>
    public int Size { get; }

    public int ObservationSize { get; }

    public int ActionSize { get; }

    /// <summary>x, [Size × obs].</summary>
    public float[] Observations { get; }

    /// <summary>u, [Size × act].</summary>
    public float[] Actions { get; }

    /// <summary>r, [Size].</summary>
    public float[] Rewards { get; }

    /// <summary>x', [Size × obs].</summary>
    public float[] NextObservations { get; }

    /// <summary>1 where the episode ended in a terminal state (no bootstrap from x'), else 0; [Size].</summary>
    public float[] Terminated { get; }

    /// <summary>1 where the episode was cut by a time limit (bootstrap from x' still applies), else 0; [Size].</summary>
    public float[] Truncated { get; }

    /// <summary>Each row's ticket: its 0-based position in the ring's insertion order; [Size].</summary>
    public long[] Tickets { get; }

    /// <summary>Scratch for the sampler: the slot first drawn for each row (prefetched before any row is copied).</summary>
    internal int[] Slots { get; }

    /// <summary>Slots drawn ahead for this batch's next sample, already hinted into the cache (see
    /// <see cref="ReplayRing.TrySample"/>); valid when <see cref="HasNextSlots"/>.</summary>
    internal int[] NextSlots { get; }
    internal bool HasNextSlots;

    /// <summary>Where the prefetch loads' values go so the JIT keeps them; meaningless otherwise.</summary>
    internal long PrefetchSink;
}

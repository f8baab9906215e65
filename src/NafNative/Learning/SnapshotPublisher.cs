namespace NafNative.Learning;

// Design:
// - Writer: the learner thread alone calls Publish (every K updates). It builds a new immutable ParameterSnapshot
//   and swaps it in with one release store. Nothing is ever mutated after publication.
// - Readers: any number of worker threads call Latest (an acquire load), typically once per episode, and keep the
//   reference for the whole episode (the paper's sync point). Holding an old snapshot is always safe: it is
//   immutable and the GC keeps it alive while referenced.
// - Why safe: the release store in Publish orders the snapshot's construction (its array copy) before the
//   reference becomes visible; the acquire load in Latest orders the reference read before reads of its contents.

/// <summary>Publishes the learner's parameters to workers as immutable, versioned snapshots by one reference swap.</summary>
public sealed class SnapshotPublisher
{
    // Written by the learner thread (Volatile.Write), read by workers (Volatile.Read).
    private ParameterSnapshot? _latest;
    // Written by the learner thread only.
    private long _version;

    /// <summary>The newest snapshot, or null before the first <see cref="Publish"/>.</summary>
    // Acquire: pairs with the release store in Publish, so the snapshot's contents are visible.
    public ParameterSnapshot? Latest => Volatile.Read(ref _latest);

    /// <summary>Copies <paramref name="parameters"/> into a new snapshot and makes it the latest.</summary>
    /// <remarks>Learner thread only. Allocates one snapshot (a parameter-vector copy) per call: call it every K
    /// updates, not every update.</remarks>
    public ParameterSnapshot Publish(ReadOnlySpan<float> parameters, long updateCount)
    {
        var snapshot = new ParameterSnapshot(parameters, ++_version, updateCount, System.Diagnostics.Stopwatch.GetTimestamp());
        // Release: the snapshot's array copy above is visible before any reader can see the reference.
        // Pairs with the Volatile.Read in Latest.
        Volatile.Write(ref _latest, snapshot);
        return snapshot;
    }
}

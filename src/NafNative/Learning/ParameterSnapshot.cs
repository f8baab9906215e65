namespace NafNative.Learning;

/// <summary>An immutable copy of the online network's flat parameter vector, published by the learner and read by
/// workers (DESIGN: a worker takes one at episode start and keeps it for the whole episode).</summary>
/// <remarks>Immutable after construction, so any number of threads may read it without synchronisation once they
/// hold the reference (the publisher's release store makes the contents visible first).</remarks>
public sealed class ParameterSnapshot
{
    private readonly float[] _values;

    /// <summary>Copies <paramref name="values"/>; <paramref name="version"/> counts publications, starting at 1;
    /// <paramref name="publishedAt"/>: the <see cref="System.Diagnostics.Stopwatch"/> timestamp of its publication
    /// (0: not published in this process, e.g. parameters a remote worker received).</summary>
    public ParameterSnapshot(ReadOnlySpan<float> values, long version, long updateCount, long publishedAt = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(version);
        ArgumentOutOfRangeException.ThrowIfNegative(updateCount);
        _values = values.ToArray();
        Version = version;
        UpdateCount = updateCount;
        PublishedAt = publishedAt;
    }

    public ReadOnlySpan<float> Values => _values;

    /// <summary>Publication number: later snapshots have larger versions.</summary>
    public long Version { get; }

    /// <summary>Learner updates applied to the parameters in this snapshot.</summary>
    public long UpdateCount { get; }

    /// <summary><see cref="System.Diagnostics.Stopwatch"/> timestamp of the publication (0 when unknown): how old the
    /// parameters are, e.g. for measuring how long they take to reach remote workers.</summary>
    public long PublishedAt { get; }
}

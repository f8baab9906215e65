namespace NafNative.Learning;

/// <summary>An immutable copy of the online network's flat parameter vector, published by the learner and read by
/// workers (DESIGN: a worker takes one at episode start and keeps it for the whole episode).</summary>
/// <remarks>Immutable after construction, so any number of threads may read it without synchronisation once they
/// hold the reference (the publisher's release store makes the contents visible first).</remarks>
public sealed class ParameterSnapshot
{
    private readonly float[] _values;

    /// <summary>Copies <paramref name="values"/>; <paramref name="version"/> counts publications, starting at 1.</summary>
    public ParameterSnapshot(ReadOnlySpan<float> values, long version, long updateCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(version);
        ArgumentOutOfRangeException.ThrowIfNegative(updateCount);
        _values = values.ToArray();
        Version = version;
        UpdateCount = updateCount;
    }

    public ReadOnlySpan<float> Values => _values;

    /// <summary>Publication number: later snapshots have larger versions.</summary>
    public long Version { get; }

    /// <summary>Learner updates applied to the parameters in this snapshot.</summary>
    public long UpdateCount { get; }
}

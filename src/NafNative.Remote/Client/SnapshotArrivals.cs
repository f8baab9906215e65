using System.Diagnostics;
using System.Globalization;

namespace NafNative.Remote.Client;

/// <summary>When each parameter snapshot reached a remote worker and when the worker started acting with it, for
/// measuring the learner's fan-out (<c>naf worker --snapshot-log</c>, <c>naf bench remote</c>).</summary>
/// <remarks>The worker's thread alone writes it; read it after the worker stopped. Times are
/// <see cref="Stopwatch"/> timestamps: on Linux CLOCK_MONOTONIC, the same clock in every process of one machine, so
/// they compare with the learner's publication times only when both run on the same machine. Fixed capacity, no
/// allocation per record; arrivals past it are counted, not kept.</remarks>
public sealed class SnapshotArrivals
{
    private readonly long[] _version, _updates, _arrived, _used;

    public SnapshotArrivals(int capacity = 1 << 16)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _version = new long[capacity];
        _updates = new long[capacity];
        _arrived = new long[capacity];
        _used = new long[capacity];
    }

    public int Count { get; private set; }

    /// <summary>Arrivals not kept because the record was full.</summary>
    public long Dropped { get; private set; }

    /// <summary>A snapshot with new parameters arrived at <paramref name="timestamp"/>.</summary>
    public void Arrived(long version, long updateCount, long timestamp)
    {
        if (Count == _version.Length) { Dropped++; return; }
        _version[Count] = version;
        _updates[Count] = updateCount;
        _arrived[Count] = timestamp;
        Count++;
    }

    /// <summary>The worker started an episode with <paramref name="version"/> (the newest arrival of it) at
    /// <paramref name="timestamp"/>.</summary>
    public void Used(long version, long timestamp)
    {
        for (int i = Count - 1; i >= 0; i--)
        {
            if (_version[i] != version) continue;
            if (_used[i] == 0) _used[i] = timestamp;
            return;
        }
    }

    public const string CsvHeader = "worker,version,update_count,arrived_ns,used_ns";

    /// <summary>One line per arrival: times in nanoseconds of the Stopwatch clock; used_ns empty for parameters that a
    /// newer arrival replaced before any episode started with them.</summary>
    public void WriteCsv(TextWriter writer, string worker)
    {
        ArgumentNullException.ThrowIfNull(writer);
        string name = worker.Contains(',') || worker.Contains('"') ? "\"" + worker.Replace("\"", "\"\"") + "\"" : worker;
        for (int i = 0; i < Count; i++)
            writer.WriteLine(string.Join(',', name, _version[i].ToString(CultureInfo.InvariantCulture), _updates[i].ToString(CultureInfo.InvariantCulture),
                Nanoseconds(_arrived[i]).ToString(CultureInfo.InvariantCulture), _used[i] == 0 ? "" : Nanoseconds(_used[i]).ToString(CultureInfo.InvariantCulture)));
    }

    /// <summary>A Stopwatch timestamp in nanoseconds.</summary>
    public static long Nanoseconds(long timestamp) =>
        Stopwatch.Frequency == 1_000_000_000 ? timestamp : (long)(timestamp * (1e9 / Stopwatch.Frequency));
}

using System.Globalization;
namespace NafNative.Cli.Bench;

/// <summary>Snapshot fan-out latency: for every parameter version the learner published and every worker, the time
/// from the publication until that worker first had (arrived) and first acted with (in use, at an episode start) a
/// version at least as new. A worker skips versions published between two of its fetches; for those it is the
/// wait until the newer parameters reached it, which is what a user waits for. Versions published before a worker's
/// first parameters arrived (it was still starting) do not count for it.</summary>
/// <remarks>Publication times come from the learner's process, arrivals from the workers' <c>--snapshot-log</c>
/// files: both Stopwatch clocks of one machine (CLOCK_MONOTONIC on Linux), so the bench must run learner and workers
/// on the same machine, as it does.</remarks>
internal static class FanOut
{
    public sealed record Result(double ArrivedP50Ms, double ArrivedP99Ms, double InUseP50Ms, double InUseP99Ms, int Pairs, int Unreached);

    /// <param name="publications">(version, publication time in ns), in publication order.</param>
    /// <param name="logs">One --snapshot-log file per worker.</param>
    /// <param name="fromNs">Only versions published from here…</param>
    /// <param name="toNs">…to here count (later ones may not have reached a worker before it stopped).</param>
    public static Result Measure(IReadOnlyList<(long Version, long PublishedNs)> publications, IEnumerable<string> logs, long fromNs, long toNs)
    {
        var arrived = new List<double>();
        var inUse = new List<double>();
        int unreached = 0;
        foreach (string log in logs)
        {
            var rows = Read(log);
            // A worker still starting (process start, JIT, registration) is not yet part of the fan-out: its first
            // parameters are the baseline, and only versions published after they arrived count.
            long joined = rows.Count > 0 ? rows[0].ArrivedNs : long.MaxValue;
            foreach (var (version, published) in publications)
            {
                if (published < fromNs || published > toNs) continue;
                if (published < joined && rows.Count > 0) continue;
                // Rows are in arrival order with increasing versions (one learner session).
                long first = rows.FirstOrDefault(r => r.Version >= version).ArrivedNs;
                long used = rows.Where(r => r.Version >= version && r.UsedNs > 0).Select(r => r.UsedNs).DefaultIfEmpty(0).Min();
                if (first == 0) { unreached++; continue; }
                arrived.Add((first - published) / 1e6);
                if (used > 0) inUse.Add((used - published) / 1e6);
            }
        }
        return new Result(Percentile(arrived, 0.5), Percentile(arrived, 0.99), Percentile(inUse, 0.5), Percentile(inUse, 0.99), arrived.Count, unreached);
    }

    private static List<(long Version, long ArrivedNs, long UsedNs)> Read(string path)
    {
        var rows = new List<(long, long, long)>();
        if (!File.Exists(path)) return rows;
        foreach (string line in File.ReadLines(path).Skip(1))
        {
            // Remote.Client.SnapshotArrivals.CsvHeader: worker,version,update_count,arrived_ns,used_ns (the bench's names have no commas).
            var f = line.Split(',');
            if (f.Length < 5 || !long.TryParse(f[1], CultureInfo.InvariantCulture, out long v) || !long.TryParse(f[3], CultureInfo.InvariantCulture, out long a)) continue;
            rows.Add((v, a, long.TryParse(f[4], CultureInfo.InvariantCulture, out long u) ? u : 0));
        }
        return rows;
    }

    private static double Percentile(List<double> values, double q)
    {
        if (values.Count == 0) return double.NaN;
        values.Sort();
        return values[Math.Min(values.Count - 1, (int)(q * values.Count))];
    }
}

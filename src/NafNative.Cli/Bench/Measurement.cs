using System.Diagnostics;

namespace NafNative.Cli.Bench;

/// <summary>Times a batch-callable workload for a wall-clock budget: warm-up, then doubling batches until the
/// budget is spent, so timer overhead stays negligible however short one call is.</summary>
internal static class Measurement
{
    /// <summary>Runs <paramref name="work"/>(count) repeatedly for about <paramref name="seconds"/>;
    /// returns (calls, elapsed seconds) of the timed part.</summary>
    public static (long Calls, double Seconds) Run(Action<long> work, double seconds)
    {
        // Warm-up: tier-up the JIT (tiered PGO recompiles hot loops) and fault in caches.
        var warm = Stopwatch.StartNew();
        long batch = 1;
        while (warm.Elapsed.TotalSeconds < Math.Min(0.3, seconds / 4))
        {
            work(batch);
            if (batch < 1 << 20) batch *= 2;
        }

        long calls = 0;
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed.TotalSeconds < seconds)
        {
            work(batch);
            calls += batch;
        }
        return (calls, sw.Elapsed.TotalSeconds);
    }
}

namespace NafNative.Hardware.Robots;

/// <summary>Cycle time (the cycle's bus work: read, filter, write; not the wait for the policy's answer) and jitter
/// (how late the cycle started) of a control loop over its last <see cref="Capacity"/> cycles, plus totals.</summary>
/// <remarks>Written by the control thread (Record, allocation-free), read by any thread through <see cref="Read"/>
/// (which copies under a lock: the control thread holds the same lock for two stores per cycle only).</remarks>
public sealed class CycleStatistics
{
    public const int Capacity = 4096;
    private readonly double[] _cycle = new double[Capacity], _jitter = new double[Capacity];
    private readonly Lock _gate = new();
    private long _count, _overruns;
    private double _maxCycle, _maxJitter;

    /// <summary>Records one cycle: how long its I/O took and how late it started (both in seconds).</summary>
    public void Record(double cycleSeconds, double jitterSeconds, bool overran)
    {
        lock (_gate)
        {
            int at = (int)(_count % Capacity);
            _cycle[at] = cycleSeconds;
            _jitter[at] = jitterSeconds;
            _count++;
            if (overran) _overruns++;
            _maxCycle = Math.Max(_maxCycle, cycleSeconds);
            _maxJitter = Math.Max(_maxJitter, jitterSeconds);
        }
    }

    /// <summary>Percentiles over the recent window and maxima over the whole run (milliseconds).</summary>
    public CycleSummary Read()
    {
        double[] cycle, jitter;
        long count, overruns;
        double maxCycle, maxJitter;
        lock (_gate)
        {
            int n = (int)Math.Min(_count, Capacity);
            cycle = _cycle[..n];
            jitter = _jitter[..n];
            count = _count;
            overruns = _overruns;
            maxCycle = _maxCycle;
            maxJitter = _maxJitter;
        }
        Array.Sort(cycle);
        Array.Sort(jitter);
        return new CycleSummary(count, overruns, 1e3 * Percentile(cycle, 0.5), 1e3 * Percentile(cycle, 0.99), 1e3 * maxCycle,
            1e3 * Percentile(jitter, 0.5), 1e3 * Percentile(jitter, 0.99), 1e3 * maxJitter);
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1 < 0 ? 0 : (int)Math.Ceiling(p * sorted.Length) - 1)];
}

/// <summary>Cycle figures in milliseconds: cycle = time the cycle's bus work took (read + filter + write); jitter = how
/// late it started.</summary>
public readonly record struct CycleSummary(long Cycles, long Overruns, double CycleP50, double CycleP99, double CycleMax,
    double JitterP50, double JitterP99, double JitterMax);

using System.Diagnostics;

namespace NafNative.Learning;

/// <summary>Paces a worker at its control rate (in-process or remote).</summary>
public static class RealTimePacing
{
    /// <summary>Returns when <paramref name="clock"/> reaches <paramref name="seconds"/>, or at once when cancelled.</summary>
    /// <remarks>Waits on the token for the coarse part (cancellation wakes it at once; a long control period, such as
    /// a slowed time scale, never delays a stop) and spins for the last millisecond: a timed wait alone overshoots by
    /// ~1 ms on Linux.</remarks>
    public static void WaitUntil(Stopwatch clock, double seconds, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(clock);
        while (!cancellation.IsCancellationRequested)
        {
            double left = seconds - clock.Elapsed.TotalSeconds;
            if (left <= 0) return;
            if (left > 0.002) cancellation.WaitHandle.WaitOne(TimeSpan.FromSeconds(left - 0.0015));
            else Thread.SpinWait(50);
        }
    }
}

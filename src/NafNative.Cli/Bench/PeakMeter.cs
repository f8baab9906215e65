using NafNative.Kernels.Cpu;

namespace NafNative.Cli.Bench;

/// <summary>Measures this core's fp32 FMA peak (GFLOP/s) with <see cref="FmaPeak"/>'s independent chains.</summary>
internal static class PeakMeter
{
    private const long IterationsPerCall = 100_000;

    /// <summary>Windows of at least this long; the budget is split into at most <see cref="MaxWindows"/> of them.</summary>
    private const double MinWindowSeconds = 0.05;

    private const int MaxWindows = 8;

    /// <summary>The best rate over several windows within about <paramref name="seconds"/>.</summary>
    /// <remarks>A peak is a maximum: a window in which the OS ran something else on this core only reads low, so
    /// the best window is the figure. An average would let one preemption on a busy machine drag the peak below what
    /// a GEMM measured next reaches, and "% of peak" above 100.</remarks>
    public static double MeasureGflops(double seconds)
    {
        float sink = 0;
        int windows = Math.Clamp((int)(seconds / MinWindowSeconds), 1, MaxWindows);
        double best = 0;
        for (int w = 0; w < windows; w++)
        {
            var (calls, elapsed) = Measurement.Run(n => { for (long i = 0; i < n; i++) sink += FmaPeak.Run(IterationsPerCall); }, seconds / windows);
            best = Math.Max(best, FmaPeak.Flops(calls * IterationsPerCall, SimdPath.Active) / elapsed / 1e9);
        }
        GC.KeepAlive(sink);
        return best;
    }
}

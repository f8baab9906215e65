using NafNative.Kernels.Cpu;

namespace NafNative.Cli.Bench;

/// <summary>Measures this core's fp32 FMA peak (GFLOP/s) with <see cref="FmaPeak"/>'s independent chains.</summary>
internal static class PeakMeter
{
    private const long IterationsPerCall = 100_000;

    public static double MeasureGflops(double seconds)
    {
        float sink = 0;
        var (calls, elapsed) = Measurement.Run(n => { for (long i = 0; i < n; i++) sink += FmaPeak.Run(IterationsPerCall); }, seconds);
        GC.KeepAlive(sink);
        return FmaPeak.Flops(calls * IterationsPerCall, SimdPath.Active) / elapsed / 1e9;
    }
}

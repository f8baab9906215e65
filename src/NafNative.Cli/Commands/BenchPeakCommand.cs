using System.CommandLine;
using NafNative.Cli.Bench;
using NafNative.Kernels.Cpu;

namespace NafNative.Cli.Commands;

/// <summary><c>naf bench peak</c>: this core's fp32 FMA peak, the denominator of every "fraction of peak".</summary>
internal static class BenchPeakCommand
{
    public static Command Create()
    {
        var seconds = CommonOptions.Seconds(1.0);
        var simd = CommonOptions.Simd();
        var json = CommonOptions.Json();
        var command = new Command("peak", "Measure the single-core fp32 FMA peak with independent FMA chains.") { seconds, simd, json };
        command.SetAction(parse =>
        {
            using var _ = SimdPath.Force(parse.GetValue(simd));
            double gflops = PeakMeter.MeasureGflops(parse.GetValue(seconds));
            var result = new PeakResult(gflops, SimdPath.Active.ToString(), FmaPeak.ChainsOf(SimdPath.Active), Environment.ProcessorCount);
            if (parse.GetValue(json)) JsonOutput.Write(parse.InvocationConfiguration.Output, result);
            else parse.InvocationConfiguration.Output.WriteLine($"fp32 FMA peak: {gflops:F1} GFLOP/s on one core ({result.Simd}, {result.Chains} independent chains)");
            return 0;
        });
        return command;
    }

    private sealed record PeakResult(double PeakGflops, string Simd, int Chains, int LogicalCores);
}

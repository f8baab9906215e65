using System.CommandLine;

namespace NafNative.Cli.Commands;

/// <summary><c>naf bench</c>: micro-benchmarks of the numeric core.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Measure the numeric core: FMA peak, GEMM throughput.");
        bench.Subcommands.Add(BenchPeakCommand.Create());
        bench.Subcommands.Add(BenchGemmCommand.Create());
        bench.Subcommands.Add(BenchReplayCommand.Create());
        bench.Subcommands.Add(BenchUpdateCommand.Create());
        bench.Subcommands.Add(BenchCycleCommand.Create());
        bench.Subcommands.Add(BenchRemoteCommand.Create());
        return bench;
    }
}

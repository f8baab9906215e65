using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

namespace NafNative.Perf;

/// <summary>Runs the BenchmarkDotNet suites: <c>dotnet run -c Release --project perf/NafNative.Perf -- --filter '*Gemm*'</c>.</summary>
public static class Program
{
    public static void Main(string[] args) =>
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, DefaultConfig.Instance.AddColumn(new GflopsColumn()));
}

using NUnit.Framework;
using System.Text.Json;
using NafNative.Cli;

namespace NafNative.Cli.Tests.Commands;

[TestFixture]
public sealed class BenchCommandTests
{
    private static (int Exit, string Out, string Err) Run(params string[] args) => CliRunner.Run(args);

    [Test]
    public void BenchGemm_Json_PrintsOneObjectWithRequiredFields()
    {
        var (exit, stdout, stderr) = Run("bench", "gemm", "--m", "17", "--n", "33", "--k", "7", "--seconds", "0.05", "--json");

        Assert.That(exit, Is.Zero, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(stdout.Trim().Split('\n'), Has.Length.EqualTo(1), "--json prints exactly one line");
            Assert.That(root.GetProperty("gflops").GetDouble(), Is.GreaterThan(0));
            Assert.That(root.GetProperty("peak_gflops").GetDouble(), Is.GreaterThan(0));
            double fraction = root.GetProperty("fraction_of_peak").GetDouble();
            Assert.That(fraction, Is.EqualTo(root.GetProperty("gflops").GetDouble() / root.GetProperty("peak_gflops").GetDouble()).Within(1e-9));
            Assert.That(root.GetProperty("m").GetInt32(), Is.EqualTo(17));
            Assert.That(root.GetProperty("n").GetInt32(), Is.EqualTo(33));
            Assert.That(root.GetProperty("k").GetInt32(), Is.EqualTo(7));
        });
    }

    /// <summary>The shape: with a spilling peak loop it read 129% "of peak" on an AVX2-only core. No GEMM can
    /// exceed the FMA peak, so the fraction must stay at or below 1.</summary>
    [Test]
    public void BenchGemm_256x100x100_NeverAboveThePeak()
    {
        var (exit, stdout, stderr) = Run("bench", "gemm", "--m", "256", "--n", "100", "--k", "100", "--seconds", "0.6", "--json");

        Assert.That(exit, Is.Zero, stderr);
        using var doc = JsonDocument.Parse(stdout);
        double fraction = doc.RootElement.GetProperty("fraction_of_peak").GetDouble();
        TestContext.Out.WriteLine(stdout);
        Assert.That(fraction, Is.GreaterThan(0).And.LessThanOrEqualTo(1.0), "GEMM GFLOP/s over the measured FMA peak");
    }

    [Test]
    public void BenchGemm_PlanAll_OneResultPerCandidate_BadPlanRefused()
    {
        var (exit, stdout, stderr) = Run("bench", "gemm", "--m", "8", "--n", "24", "--k", "9", "--seconds", "0.1", "--plan", "all", "--json");
        Assert.That(exit, Is.Zero, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var plans = doc.RootElement.ValueKind == JsonValueKind.Array
            ? doc.RootElement.EnumerateArray().Select(r => r.GetProperty("plan").GetString()).ToArray()
            : [doc.RootElement.GetProperty("plan").GetString()];
        var candidates = Kernels.Cpu.GemmPlan.Candidates(Kernels.Cpu.SimdPath.Active).Select(p => p.ToString()).ToArray();
        Assert.That(plans, Is.EqualTo(candidates.Length == 0 ? new[] { Kernels.Cpu.Gemm.ActivePlan(Kernels.Cpu.SimdPath.Active).ToString() } : candidates));

        var one = Run("bench", "gemm", "--m", "8", "--n", "24", "--k", "9", "--seconds", "0.05", "--plan", "2x64");
        Assert.That(one.Exit, Is.Zero, one.Err);
        Assert.That(one.Out, Does.Contain("plan 2x64"));
        var bad = Run("bench", "gemm", "--plan", "9x9");
        Assert.That(bad.Exit, Is.EqualTo(1));
        Assert.That(bad.Err, Does.Contain("--plan").And.Contain("9x9"));
    }

    [TestCase("NT")]
    [TestCase("TN")]
    public void BenchGemm_EachForm_Runs(string form)
    {
        var (exit, stdout, stderr) = Run("bench", "gemm", "--form", form, "--m", "9", "--n", "5", "--k", "3", "--seconds", "0.05", "--json");

        Assert.That(exit, Is.Zero, stderr);
        using var doc = JsonDocument.Parse(stdout);
        Assert.That(doc.RootElement.GetProperty("form").GetString(), Is.EqualTo(form));
    }

    [Test]
    public void BenchPeak_Json_ReportsPositivePeak()
    {
        var (exit, stdout, stderr) = Run("bench", "peak", "--seconds", "0.05", "--json");

        Assert.That(exit, Is.Zero, stderr);
        using var doc = JsonDocument.Parse(stdout);
        Assert.That(doc.RootElement.GetProperty("peak_gflops").GetDouble(), Is.GreaterThan(0));
    }

    [Test]
    public void BenchPeak_ForcedScalar_ReportsScalarPath()
    {
        var (exit, stdout, _) = Run("bench", "peak", "--seconds", "0.05", "--simd", "Scalar", "--json");

        Assert.That(exit, Is.Zero);
        using var doc = JsonDocument.Parse(stdout);
        Assert.That(doc.RootElement.GetProperty("simd").GetString(), Is.EqualTo("Scalar"));
    }

    [TestCase("--m", "0", "--m must be a positive integer")]
    [TestCase("--k", "-3", "--k must be a positive integer")]
    [TestCase("--seconds", "0", "--seconds must be in (0, 3600]")]
    [TestCase("--seconds", "NaN", "--seconds must be in (0, 3600]")]
    public void BenchGemm_BadOption_FailsWithMessageNamingIt(string option, string value, string message)
    {
        var (exit, stdout, stderr) = Run("bench", "gemm", option, value, "--json");

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(1));
            Assert.That(stderr, Does.Contain(message));
            Assert.That(stdout, Does.Not.Contain("gflops"), "nothing is measured after a usage error");
        });
    }

    [Test]
    public void Bench_UnknownForm_Fails()
    {
        var (exit, _, stderr) = Run("bench", "gemm", "--form", "XX");

        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("XX"));
    }

    [Test]
    public void BenchUpdateBreakdown_Json_EveryPhaseWithTimeAndShare()
    {
        var (exit, stdout, stderr) = CliRunner.Run("bench", "update", "--breakdown", "--seconds", "0.4", "--hidden", "32,32", "--json");

        Assert.That(exit, Is.Zero, stderr);
        using var json = System.Text.Json.JsonDocument.Parse(stdout);
        var phases = json.RootElement.GetProperty("phases").EnumerateArray().ToArray();
        var names = phases.Select(p => p.GetProperty("phase").GetString()).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(names[0], Is.EqualTo("sample batch (replay ring)"));
            Assert.That(names[^1], Does.StartWith("publish snapshot"));
            Assert.That(names, Has.Member("Adam").And.Member("backward: layer 2 (32→32)"));
            Assert.That(phases.Sum(p => p.GetProperty("percent").GetDouble()), Is.EqualTo(100).Within(0.01));
            Assert.That(json.RootElement.GetProperty("updates").GetInt64(), Is.GreaterThan(0));
            // The streaming phases report GB/s = the bytes they must move over their time (obs 20, act 7, 32-32:
            // P = 20·32+32 + 32·32+32 + 32·36+36 = 2,916 parameters; Adam moves 7 vectors of them).
            var adam = phases.Single(p => p.GetProperty("phase").GetString() == "Adam");
            double us = adam.GetProperty("microseconds").GetDouble();
            Assert.That(adam.GetProperty("gigabytes_per_s").GetDouble(), Is.EqualTo(7 * 4 * 2916 / (us * 1e3)).Within(1e-6).Percent);
            double bandwidth = json.RootElement.GetProperty("bandwidth_gigabytes_per_s").GetDouble();
            Assert.That(bandwidth, Is.GreaterThan(0));
            Assert.That(adam.GetProperty("fraction_of_bandwidth").GetDouble(), Is.EqualTo(adam.GetProperty("gigabytes_per_s").GetDouble() / bandwidth).Within(1e-9));
            Assert.That(phases.Single(p => p.GetProperty("phase").GetString() == "online forward (θ, x)").GetProperty("gigabytes_per_s").ValueKind,
                Is.EqualTo(System.Text.Json.JsonValueKind.Null), "a GEMM phase reports GFLOP/s, not GB/s");
        });
    }

    [Test]
    public void BenchUpdateBreakdown_Prioritized_TimesTheSumTreePhases()
    {
        var (exit, stdout, stderr) = CliRunner.Run("bench", "update", "--breakdown", "--priority-exponent", "0.6", "--seconds", "0.4",
            "--hidden", "32,32", "--json");

        Assert.That(exit, Is.Zero, stderr);
        using var json = System.Text.Json.JsonDocument.Parse(stdout);
        var phases = json.RootElement.GetProperty("phases").EnumerateArray().ToArray();
        var names = phases.Select(p => p.GetProperty("phase").GetString()).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(names[0], Is.EqualTo("sample batch (prioritised, α 0.6)"));
            Assert.That(names, Has.Member("priorities from TD errors (sum tree)"));
            Assert.That(phases.Single(p => p.GetProperty("phase").GetString() == "priorities from TD errors (sum tree)")
                .GetProperty("microseconds").GetDouble(), Is.GreaterThan(0));
            Assert.That(phases.Sum(p => p.GetProperty("percent").GetDouble()), Is.EqualTo(100).Within(0.01));
        });
    }

    [TestCase("1.5", "--priority-exponent must be in (0, 1]")]
    public void BenchUpdate_BadPriorityExponent_IsRefused(string alpha, string message)
    {
        var (exit, _, stderr) = CliRunner.Run("bench", "update", "--breakdown", "--priority-exponent", alpha, "--seconds", "0.1");
        Assert.That(exit, Is.Not.Zero);
        Assert.That(stderr, Does.Contain(message));
        var (exit2, _, stderr2) = CliRunner.Run("bench", "update", "--priority-exponent", "0.6", "--seconds", "0.1");
        Assert.That(exit2, Is.EqualTo(1));
        Assert.That(stderr2, Does.Contain("applies to --breakdown"));
    }

    [Test]
    public void BenchUpdateBreakdown_GpuBackend_IsRefusedWithTheReason()
    {
        var (exit, _, stderr) = CliRunner.Run("bench", "update", "--breakdown", "--backend", "gpu-cpuaccel", "--seconds", "0.1");
        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("--breakdown times the CPU trainer"));
    }
}

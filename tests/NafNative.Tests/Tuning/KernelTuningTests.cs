using System.Text.Json.Nodes;
using NafNative.Kernels.Cpu;
using NafNative.Tuning;
using NUnit.Framework;

namespace NafNative.Tests.Tuning;

/// <summary>The kernel choice: forced, by rule, calibrated once and then read from the per-CPU cache; a bad setting is
/// refused naming the variable; a cache that cannot be trusted is reported and rewritten.</summary>
[TestFixture]
public sealed class KernelTuningTests
{
    private string _folder = "", _cache = "";
    private readonly List<string> _warnings = [];

    [SetUp]
    public void SetUp()
    {
        _folder = Directory.CreateTempSubdirectory("naf-tuning-").FullName;
        _cache = Path.Combine(_folder, "nafnative", "kernels.json");
        _warnings.Clear();
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_folder, recursive: true);

    private KernelChoice Choose(string? setting) => KernelTuning.Choose(setting, _cache, _warnings.Add);

    private static bool Simd => SimdPath.Active != SimdWidth.Scalar;

    [Test]
    public void Rule_AndForcedPlan_MeasureNothing_WriteNothing()
    {
        var rule = Choose("rule");
        Assert.That(rule.Source, Is.EqualTo(TuningSource.Rule));
        Assert.That(rule.Plan, Is.EqualTo(GemmPlan.Rule(SimdPath.Active)));
        var forced = Choose(" 2x64 ");
        Assert.That((forced.Source, forced.Plan), Is.EqualTo((TuningSource.Forced, new GemmPlan(2, 64))));
        Assert.That(File.Exists(_cache), Is.False);
    }

    [TestCase("9x9")]
    [TestCase("fastest")]
    public void BadSetting_IsRefusedNamingTheVariable(string setting)
    {
        var error = Assert.Throws<ArgumentException>(() => Choose(setting));
        Assert.That(error!.Message, Does.Contain($"{KernelTuning.Variable}={setting}").And.Contain("rule"));
    }

    [Test]
    public void Auto_CalibratesOnce_ThenReadsTheCache_CalibrateMeasuresAgain()
    {
        Assume.That(Simd, "the scalar path has no blocking to choose");
        var first = Choose(null);
        Assert.That(first.Source, Is.EqualTo(TuningSource.Calibrated));
        Assert.That(first.Timings.Select(t => t.Plan), Is.EqualTo(GemmPlan.Candidates(SimdPath.Active).Select(p => p.ToString())));
        Assert.That(first.Timings, Is.All.Matches<GemmCalibration.Timing>(t => t!.Microseconds > 0 && t.Gflops > 0));
        var entry = JsonNode.Parse(File.ReadAllText(_cache))!["cpus"]![CpuIdentity.Key]!;
        Assert.That((string?)entry["gemm_plan"], Is.EqualTo(first.Plan.ToString()));

        var second = Choose("auto");
        Assert.That((second.Source, second.Plan), Is.EqualTo((TuningSource.Cached, first.Plan)));
        Assert.That(second.Timings.Select(t => t.Plan), Is.EqualTo(first.Timings.Select(t => t.Plan)));
        Assert.That(Choose("calibrate").Source, Is.EqualTo(TuningSource.Calibrated));
        Assert.That(_warnings, Is.Empty);
    }

    [TestCase("{not json")]
    [TestCase("""{"format": "nafnative-kernel-tuning", "version": 1, "cpus": {"KEY": {"gemm_plan": "7x3"}}}""")]
    [TestCase("""{"format": "something-else", "version": 1}""")]
    public void UntrustworthyCache_IsReportedAndRewritten(string content)
    {
        Assume.That(Simd, "the scalar path has no blocking to choose");
        Directory.CreateDirectory(Path.GetDirectoryName(_cache)!);
        File.WriteAllText(_cache, content.Replace("KEY", CpuIdentity.Key.Replace("\"", "\\\"")));
        var choice = Choose(null);
        Assert.That(choice.Source, Is.EqualTo(TuningSource.Calibrated));
        Assert.That(_warnings, Has.Count.EqualTo(1));
        Assert.That(_warnings[0], Does.Contain(_cache).And.Contain("unusable"));
        Assert.That(Choose(null).Source, Is.EqualTo(TuningSource.Cached), "the rewritten cache is read back");
    }

    [Test]
    public void AnotherCpusEntry_IsKept_AndNotUsed()
    {
        Assume.That(Simd, "the scalar path has no blocking to choose");
        Directory.CreateDirectory(Path.GetDirectoryName(_cache)!);
        File.WriteAllText(_cache, """{"format": "nafnative-kernel-tuning", "version": 1, "cpus": {"Other CPU | Vector512": {"gemm_plan": "4x64"}}}""");
        Assert.That(Choose(null).Source, Is.EqualTo(TuningSource.Calibrated));
        var cpus = JsonNode.Parse(File.ReadAllText(_cache))!["cpus"]!.AsObject();
        Assert.That(cpus.Select(p => p.Key), Is.EquivalentTo(new[] { "Other CPU | Vector512", CpuIdentity.Key }));
        Assert.That(_warnings, Is.Empty);
    }

    [Test]
    public void Calibration_ChoosesAmongTheCandidates_LeavesThePlanAsItWas()
    {
        Assume.That(Simd, "the scalar path has no blocking to choose");
        GemmPlan[] candidates = [new(2, 64), GemmPlan.Rule(SimdPath.Active)];
        using var _ = Gemm.UsePlan(new GemmPlan(1, 8));
        var result = GemmCalibration.Run(trials: 2, candidates);
        Assert.That(result.Plan, Is.AnyOf("2x64", GemmPlan.Rule(SimdPath.Active).ToString()));
        Assert.That(result.Timings, Has.Count.EqualTo(2));
        Assert.That(Gemm.Plan, Is.EqualTo(new GemmPlan(1, 8)));
        // The rule's plan is kept unless another is more than RuleMargin faster.
        var rule = result.Timings[1];
        var other = result.Timings[0];
        bool clearlyFaster = other.Microseconds < rule.Microseconds / (1 + GemmCalibration.RuleMargin);
        Assert.That(result.Plan, Is.EqualTo(clearlyFaster ? other.Plan : rule.Plan));
    }
}

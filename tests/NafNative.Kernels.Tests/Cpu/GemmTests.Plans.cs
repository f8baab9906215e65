using NafNative.Kernels.Cpu;
using NUnit.Framework;

namespace NafNative.Kernels.Tests.Cpu;

/// <summary>Every blocking a calibration may choose computes the same products: each candidate plan (and the narrowest,
/// 1 vector, 8 deep) against the reference, on shapes that cross its panel and depth-block edges.</summary>
public sealed partial class GemmTests
{
    public static IEnumerable<object[]> PlanShapes()
    {
        string[] plans = ["1x8", "2x64", "2x128", "2x256", "3x64", "3x128", "3x256", "4x64", "4x128", "4x256"];
        foreach (string plan in plans)
            foreach (var (m, n, k) in new[] { (64, 100, 100), (9, 113, 257), (6, 40, 65), (1, 7, 20), (17, 8, 129) })
                yield return [plan, m, n, k];
    }

    [TestCaseSource(nameof(PlanShapes))]
    public void EveryPlan_AllThreeForms_MatchTheReference(string plan, int m, int n, int k)
    {
        using var _ = Gemm.UsePlan(GemmPlan.Parse(plan));
        CheckAgainstReference(Form.MatMul, m, n, k);
        CheckAgainstReference(Form.TransposeB, m, n, k);
        CheckAgainstReference(Form.TransposeA, m, n, k);
    }

    [Test]
    public void ActivePlan_NarrowsAWidePlanToTheActiveWidth_NullIsTheRule()
    {
        using (Gemm.UsePlan(new GemmPlan(4, 64)))
        {
            Assert.That(Gemm.ActivePlan(SimdWidth.Vector256), Is.EqualTo(new GemmPlan(3, 64)), "AVX2 holds at most 3 vectors");
            Assert.That(Gemm.ActivePlan(SimdWidth.Vector512), Is.EqualTo(new GemmPlan(4, 64)));
        }
        Assert.That(Gemm.Plan, Is.Null, "the scope restores the previous plan");
        Assert.That(Gemm.ActivePlan(SimdWidth.Vector256), Is.EqualTo(GemmPlan.Rule(SimdWidth.Vector256)));
        Assert.That(GemmPlan.Rule(SimdWidth.Vector512), Is.EqualTo(new GemmPlan(4, 128)));
        Assert.That(GemmPlan.Candidates(SimdWidth.Vector256), Has.Count.EqualTo(6).And.All.Matches<GemmPlan>(p => p.MaxVectors <= 3));
        Assert.That(GemmPlan.Candidates(SimdWidth.Vector512), Has.Count.EqualTo(9));
    }

    [TestCase("3x128", true)]
    [TestCase(" 2x64 ", true)]
    [TestCase("5x128", false)]
    [TestCase("3x100", false)]
    [TestCase("3x512", false)]
    [TestCase("3*128", false)]
    [TestCase("-3x128", false)]
    [TestCase("", false)]
    public void Parse_ReadsVxD_RefusesQuotingTheText(string text, bool valid)
    {
        if (valid)
        {
            var plan = GemmPlan.Parse(text);
            Assert.That(plan.ToString(), Is.EqualTo(text.Trim()));
            return;
        }
        var error = Assert.Throws<ArgumentException>(() => GemmPlan.Parse(text));
        Assert.That(error!.Message, Does.Contain($"GEMM plan"));
    }
}

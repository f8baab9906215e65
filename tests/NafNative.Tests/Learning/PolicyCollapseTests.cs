using NafNative.Learning;
using NUnit.Framework;

namespace NafNative.Tests.Learning;

[TestFixture]
public sealed class PolicyCollapseTests
{
    [TestCase(1.0, 0.5, true, TestName = "learned 100%, now 50%: collapsed")]
    [TestCase(0.95, 0.45, true, TestName = "learned 95%, now 45%: collapsed")]
    [TestCase(1.0, 0.65, false, TestName = "learned 100%, now 65%: a bad evaluation, not a collapse")]
    [TestCase(0.85, 0.0, false, TestName = "never learned (85% best): nothing to collapse from")]
    [TestCase(double.NegativeInfinity, 0.0, false, TestName = "no evaluation yet")]
    public void IsCollapse(double best, double success, bool expected) =>
        Assert.That(PolicyCollapse.IsCollapse(best, success), Is.EqualTo(expected));

    [Test]
    public void RunFolder_CollapsedEvaluation_IsMarkedAndOlderFilesStillRead()
    {
        string root = Directory.CreateTempSubdirectory("naf-collapse-").FullName;
        try
        {
            var run = RunFolder.Create(Path.Combine(root, "r"));
            run.AppendEval(10, 100, 90, 1.0, 5.0, kept: true);
            run.AppendEval(20, 200, 190, 0.3, -5.0, kept: false, collapsed: true);
            // A line from a build before the column existed.
            File.AppendAllText(run.EvalsPath, "30,300,290,0.9,4,0" + Environment.NewLine);
            File.WriteAllText(run.BestCheckpointPath, "placeholder");

            Assert.That(File.ReadAllLines(run.EvalsPath)[2], Does.EndWith(",0,1"));
            Assert.That(run.ReadEvals().Select(e => e.Success), Is.EqualTo(new[] { 1.0, 0.3, 0.9 }));
            Assert.That(run.ReadBestEval(), Is.EqualTo((1.0, 5.0)));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}

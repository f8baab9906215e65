using NafNative.Learning;
using NUnit.Framework;

namespace NafNative.Tests.Learning;

[TestFixture]
public sealed class RunFolderTests
{
    private string _root = "";

    [SetUp]
    public void SetUp() => _root = Directory.CreateTempSubdirectory("naf-run-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    [Test]
    public void ReadBestEval_SeveralKept_ReturnsTheLastKept()
    {
        var run = RunFolder.Create(Path.Combine(_root, "r"));
        run.AppendEval(10, 100, 90, 0.5, -3.0, kept: true);
        run.AppendEval(20, 200, 190, 0.9, 4.5, kept: true);
        run.AppendEval(30, 300, 290, 0.4, -9.0, kept: false);
        File.WriteAllText(run.BestCheckpointPath, "placeholder: only its existence is checked");

        Assert.That(run.ReadBestEval(), Is.EqualTo((0.9, 4.5)));
    }

    [Test]
    public void RepairTornAppends_HalfWrittenLastLine_IsCutAndCompleteLinesKept()
    {
        var run = RunFolder.Create(Path.Combine(_root, "r"));
        run.AppendEval(10, 100, 90, 0.5, -3.0, kept: true);
        File.AppendAllText(run.EvalsPath, "20,200,19");   // a process killed inside AppendEval
        run.AppendMetrics(new MetricsRow(1, 2, 3, 4, 5, 6, 7, 8, 0.5, 9, 0.1f, 0));

        var repaired = run.RepairTornAppends();

        Assert.Multiple(() =>
        {
            Assert.That(repaired, Is.EqualTo(new[] { RunFolder.EvalsFile }), "metrics.csv ends in a newline and is left alone");
            Assert.That(File.ReadAllLines(run.EvalsPath), Is.EqualTo(new[] { RunFolder.EvalsHeader, "10,100,90,0.5,-3,1,0" }));
            Assert.That(run.ReadEvals(), Has.Count.EqualTo(1));
            Assert.That(run.ReadMetrics(), Has.Count.EqualTo(1));
        });
    }

    [Test]
    public void ReplayFiles_OnlyTheCurrentCheckpointsIsKept()
    {
        var run = RunFolder.Create(Path.Combine(_root, "r"));
        foreach (long u in new long[] { 100, 200, 300 }) File.WriteAllText(run.ReplayPath(u), "x");

        run.RemoveReplays(keepUpdates: 200);

        Assert.Multiple(() =>
        {
            Assert.That(run.FindReplay(200), Is.EqualTo(run.ReplayPath(200)));
            Assert.That(run.FindReplay(100), Is.Null);
            Assert.That(run.FindReplay(300), Is.Null);
            Assert.That(Path.GetFileName(run.ReplayPath(200)), Is.EqualTo("replay-000000000200.naf"));
        });
    }

    [Test]
    public void ReadBestEval_NoBestCheckpoint_ReturnsNull()
    {
        var run = RunFolder.Create(Path.Combine(_root, "r"));
        run.AppendEval(10, 100, 90, 0.5, -3.0, kept: true);

        Assert.That(run.ReadBestEval(), Is.Null);
    }
}

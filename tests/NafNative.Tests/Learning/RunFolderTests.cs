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
    public void ReadBestEval_NoBestCheckpoint_ReturnsNull()
    {
        var run = RunFolder.Create(Path.Combine(_root, "r"));
        run.AppendEval(10, 100, 90, 0.5, -3.0, kept: true);

        Assert.That(run.ReadBestEval(), Is.Null);
    }
}

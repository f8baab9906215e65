using NafNative.Cli.Training;
using NUnit.Framework;

namespace NafNative.Cli.Tests.Commands;

[TestFixture]
public sealed class ExperimentCommandTests
{
    private string _root = "";

    [SetUp]
    public void SetUp() => _root = Directory.CreateTempSubdirectory("naf-exp-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    private static (int Exit, string Out, string Err) Run(params string[] args) => CliRunner.Run(args);

    [Test]
    public void Workers_TwoCounts_WritesOneRowEachWithMeasuredRates()
    {
        var (exit, _, stderr) = Run("experiment", "workers", "--task", "pendulum", "--workers", "1,2", "--minutes", "0.05",
            "--time-scale", "20", "--out", _root);

        Assert.That(exit, Is.Zero, stderr);
        string[] lines = File.ReadAllLines(Path.Combine(_root, "workers.csv"));
        Assert.That(lines[0], Is.EqualTo(WorkerScalingRow.Header));
        Assert.That(lines, Has.Length.EqualTo(3));
        string[] one = lines[1].Split(','), two = lines[2].Split(',');
        Assert.Multiple(() =>
        {
            Assert.That(one[0], Is.EqualTo("1"));
            Assert.That(two[0], Is.EqualTo("2"));
            double perWorker1 = double.Parse(one[5], System.Globalization.CultureInfo.InvariantCulture);
            double perWorker2 = double.Parse(two[5], System.Globalization.CultureInfo.InvariantCulture);
            // Real-time pacing at 20 Hz × 20 = 400 steps/s per worker at most, whatever the machine's load.
            Assert.That(perWorker1, Is.GreaterThan(0).And.LessThanOrEqualTo(401));
            Assert.That(perWorker2, Is.GreaterThan(0).And.LessThanOrEqualTo(401));
            Assert.That(File.Exists(Path.Combine(_root, "workers.png")));
            Assert.That(Directory.Exists(Path.Combine(_root, "workers-2")));
        });
    }

    [TestCase("1,x", "--workers must be comma-separated positive integers")]
    [TestCase("0", "--workers must be comma-separated positive integers")]
    public void Workers_BadCounts_FailsBeforeAnyRun(string counts, string message)
    {
        var (exit, _, stderr) = Run("experiment", "workers", "--workers", counts, "--out", _root);

        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain(message));
        Assert.That(Directory.GetFileSystemEntries(_root), Is.Empty);
    }
}

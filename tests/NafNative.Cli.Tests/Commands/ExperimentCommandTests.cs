using NafNative.Cli.Commands;
using NafNative.Cli.Training;
using NafNative.TestSupport;
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

    [Test]
    public void Seeds_TwoSeeds_WritesOneRowEachCurvesSummaryAndPlots()
    {
        var (exit, stdout, stderr) = Run("experiment", "seeds", "--task", "pendulum", "--seeds", "3,4", "--steps", "3000",
            "--episodes", "2", "--out", _root);

        Assert.That(exit, Is.Zero, stderr);
        string[] lines = File.ReadAllLines(Path.Combine(_root, "seeds.csv"));
        Assert.Multiple(() =>
        {
            Assert.That(lines[0], Is.EqualTo(SeedRow.Header));
            Assert.That(lines.Skip(1).Select(l => l.Split(',')[0]), Is.EqualTo(new[] { "3", "4" }));
            foreach (string line in lines.Skip(1))
            {
                string[] f = line.Split(',');
                Assert.That(long.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture), Is.GreaterThanOrEqualTo(3000), "each run spent its step budget");
                Assert.That(f[^1], Is.EqualTo("2"), "evaluated over --episodes");
            }
            string[] curves = File.ReadAllLines(Path.Combine(_root, "curves.csv"));
            Assert.That(curves[0], Is.EqualTo("seed,wall_seconds,env_steps,success_rate"));
            Assert.That(curves.Skip(1).Select(l => l.Split(',')[0]).Distinct(), Is.EqualTo(new[] { "3", "4" }), "every seed's evaluations");
            Assert.That(File.ReadAllText(Path.Combine(_root, "summary.md")), Does.Contain("| mean (2 seeds) |"));
            Assert.That(stdout, Does.Contain("| seed | best.naf (naf eval) |"));
            Assert.That(new FileInfo(Path.Combine(_root, "seeds-steps.png")).Length, Is.GreaterThan(1000));
            Assert.That(new FileInfo(Path.Combine(_root, "seeds-time.png")).Length, Is.GreaterThan(1000));
            Assert.That(Directory.Exists(Path.Combine(_root, "seed-4")));
        });
    }

    [TestCase("1-5", new[] { 1, 2, 3, 4, 5 })]
    [TestCase("1,2,7", new[] { 1, 2, 7 })]
    [TestCase("1-3,9,2", new[] { 1, 2, 3, 9 })]
    public void Seeds_Parse(string text, int[] expected) => Assert.That(ExperimentSeedsCommand.ParseSeeds(text), Is.EqualTo(expected));

    [TestCase("5-1", "runs backwards")]
    [TestCase("a", "--seeds must be ranges")]
    [TestCase("-3", "--seeds must be ranges")]
    public void Seeds_BadList_FailsBeforeAnyRun(string seeds, string message)
    {
        var (exit, _, stderr) = Run("experiment", "seeds", "--seeds", seeds, "--steps", "100", "--out", _root);

        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain(message));
        Assert.That(Directory.GetFileSystemEntries(_root), Is.Empty);
    }

    [Test]
    public void Seeds_NoBudget_FailsBeforeAnyRun()
    {
        var (exit, _, stderr) = Run("experiment", "seeds", "--task", "pendulum", "--seeds", "1", "--out", _root);
        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("needs a budget"));
    }

    [Test]
    public void Spread_StepCurves_MeanMinMaxOnTheCommonRange()
    {
        // Seed A: 0 until x = 10, then 1. Seed B: 0.5 throughout. Common range [0, 20] (both start at 0, shortest ends at 20).
        (double, double)[] a = [(0, 0), (10, 1), (30, 1)];
        (double, double)[] b = [(0, 0.5), (20, 0.5)];

        var (x, mean, min, max) = SeedSpreadPlot.Spread([a, b]);

        Assert.Multiple(() =>
        {
            Assert.That(x[0], Is.EqualTo(0));
            Assert.That(x[^1], Is.EqualTo(20), "up to the shortest run's end, so every point averages every seed");
            int before = Array.FindLastIndex(x, v => v < 10), after = Array.FindIndex(x, v => v >= 10);
            Assert.That(mean[before], Is.EqualTo(0.25));
            Assert.That((min[before], max[before]), Is.EqualTo((0.0, 0.5)));
            Assert.That(mean[after], Is.EqualTo(0.75));
            Assert.That((min[after], max[after]), Is.EqualTo((0.5, 1.0)));
        });
    }

    [Test]
    public void Robots_OneAndTwoMildRobots_SameStepsPerRobotAndEveryRunJudgedOnTheSameRobots()
    {
        var (exit, stdout, stderr) = Run("experiment", "robots", "--task", "reach", "--robots", "1,2", "--steps-per-robot", "1500",
            "--variation", "mild", "--episodes", "2", "--held-out", "1", "--out", _root);

        Assert.That(exit, Is.Zero, stderr);
        string[] lines = File.ReadAllLines(Path.Combine(_root, "robots.csv"));
        string[] table = File.ReadAllLines(Path.Combine(_root, "generalisation.md"));
        Assert.Multiple(() =>
        {
            Assert.That(lines[0], Is.EqualTo(RobotCountRow.Header));
            Assert.That(lines.Skip(1).Select(l => l.Split(',')[0]), Is.EqualTo(new[] { "1", "2" }));
            Assert.That(long.Parse(lines[2].Split(',')[2], System.Globalization.CultureInfo.InvariantCulture), Is.GreaterThanOrEqualTo(3000),
                "two robots, 1500 steps each");
            Assert.That(table[0], Is.EqualTo("| trained on | seed | robot 0 | robot 1 | held-out (1) |"));
            Assert.That(table[2], Does.StartWith("| 1 robot | 1 | ").And.Contain("*"), "the 1-robot run is also judged on robot 1, which it never drove");
            Assert.That(File.Exists(Path.Combine(_root, "robots.png")));
            Assert.That(File.Exists(Path.Combine(_root, "robots-2__seed-1", "robots.json")));
        });
    }

    [Test]
    public void Robots_Reuse_KeepsFinishedRuns_TrainsOnlyTheMissingOne()
    {
        string[] command = ["experiment", "robots", "--task", "reach", "--robots", "1,2", "--steps-per-robot", "1200",
            "--variation", "none", "--episodes", "1", "--held-out", "0", "--out", _root];
        var first = Run(command);
        Assert.That(first.Exit, Is.Zero, first.Err);
        string[] before = File.ReadAllLines(Path.Combine(_root, "robots.csv"));
        // As if the 2-robot run had been cut off: its folder goes, the 1-robot run's stays.
        Directory.Delete(Path.Combine(_root, "robots-2__seed-1"), recursive: true);
        var second = Run([.. command, "--reuse"]);
        Assert.That(second.Exit, Is.Zero, second.Err);
        Assert.That(second.Err, Does.Contain("1 robot(s), seed 1: kept the finished run"));
        Assert.That(second.Err, Does.Contain("2 robot(s), variation none, seed 1"), "the missing run is trained");
        string[] after = File.ReadAllLines(Path.Combine(_root, "robots.csv"));
        Assert.That(after[1].Split(',')[..2], Is.EqualTo(before[1].Split(',')[..2]));
        // The kept run's steps come from its last metrics.csv row: its budget spent, at most the final count.
        long kept = long.Parse(after[1].Split(',')[2], System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(kept, Is.InRange(1200, long.Parse(before[1].Split(',')[2], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(after, Has.Length.EqualTo(3));

        // A run whose settings differ is not kept.
        var other = Run("experiment", "robots", "--task", "reach", "--robots", "1", "--steps-per-robot", "1300",
            "--variation", "none", "--episodes", "1", "--held-out", "0", "--out", _root, "--reuse");
        Assert.That(other.Exit, Is.Zero, other.Err);
        Assert.That(other.Err, Does.Not.Contain("kept the finished run"));
    }

    [Test]
    public void Robots_WithSuites_EveryRunJudgedAtEveryDoor_HeldOutMarked()
    {
        MujocoTestGuard.Require();
        string config = Path.Combine(_root, "doors.json");
        Directory.CreateDirectory(_root);
        File.WriteAllText(config, "{ \"suite\": \"doors-5\", \"min_replay_fill\": 500 }");
        var (exit, _, stderr) = Run("experiment", "robots", "--task", "door-push", "--robots", "1", "--steps-per-robot", "1500",
            "--variation", "none", "--episodes", "1", "--held-out", "0", "--suites", "doors-5,doors-held-out", "--config", config, "--out", _root);

        Assert.That(exit, Is.Zero, stderr);
        string[] table = File.ReadAllLines(Path.Combine(_root, "variants.md"));
        string[] columns = table[0].Split('|', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.That(columns.Skip(2).Take(8), Is.EqualTo(Sim.Tasks.DoorVariant.Suite("doors-5").Select(d => "doors-5/" + d.Name)
            .Concat(Sim.Tasks.DoorVariant.Suite("doors-held-out").Select(d => "doors-held-out/" + d.Name))));
        Assert.That(columns.Skip(10), Is.EqualTo(new[] { "doors-5 mean", "doors-held-out mean" }));
        string[] row = table[2].Split('|', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.That(row.Skip(2).Take(5), Is.All.Match(@"^[01]/1$"), "the trained-on doors, not starred");
        Assert.That(row.Skip(7).Take(3), Is.All.Match(@"^[01]/1\*$"), "the held-out doors, starred");

        var bad = Run("experiment", "robots", "--task", "door-push", "--suites", "cubes-5", "--out", Path.Combine(_root, "bad"));
        Assert.That(bad.Exit, Is.EqualTo(1));
        Assert.That(bad.Err, Does.Contain("unknown door suite 'cubes-5'"));
    }
}

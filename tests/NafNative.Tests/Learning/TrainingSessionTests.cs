using NafNative.Environments;
using NafNative.Learning;
using NafNative.Learning.Exploration;
using NafNative.Naf;
using NUnit.Framework;

namespace NafNative.Tests.Learning;

[TestFixture]
public sealed class TrainingSessionTests
{
    private string _root = "";
    private readonly List<(int Index, PointMassEnvironment Environment)> _created = [];

    [SetUp]
    public void SetUp()
    {
        _root = Directory.CreateTempSubdirectory("naf-session-").FullName;
        _created.Clear();
    }

    [TearDown]
    public void TearDown()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    // A short run on the point-mass task: frequent metrics and evaluations so each file gets rows within a second.
    private static TrainingOptions Options(long? steps, int workers = 2) => new()
    {
        Task = "point-mass", Workers = workers, Seed = 3, Steps = steps, ReplayCapacity = 4096,
        MetricsEverySeconds = 0.05, EvalEverySeconds = 0.1, CheckpointEverySeconds = 0.1, EvalEpisodes = 2,
        Learner = new LearnerOptions { MinReplayFill = 64, PublishEvery = 10, UpdatesPerInsert = 1.0 },
        Network = (observation, action) => new NafOptions
        {
            ObservationSize = observation, ActionSize = action, HiddenSizes = [16], BatchSize = 16, Seed = 3,
        },
        Noise = (_, seed) => new GaussianNoise(new NoiseSchedule(0.3f, 0.99f, 0.05f), seed),
    };

    private IEnvironment Create(string task, int index)
    {
        Assert.That(task, Is.EqualTo("point-mass"));
        var environment = new PointMassEnvironment();
        lock (_created) _created.Add((index, environment));
        return environment;
    }

    [Test]
    public void Run_StepBudget_WritesCheckpointMetricsEvalsAndBest()
    {
        var folder = RunFolder.Create(Path.Combine(_root, "r"));

        var summary = new TrainingSession(Options(steps: 3000), folder, Create).Run(null, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(summary.Interrupted, Is.False, "the step budget was spent");
            Assert.That(summary.Metrics.TotalSteps, Is.EqualTo(3000), "the workers claim each step from the budget: no overshoot");
            Assert.That(summary.TotalUpdates, Is.GreaterThan(0));
            Assert.That(NafCheckpoint.Load(folder.CheckpointPath).Steps, Is.EqualTo(summary.TotalUpdates),
                "the final checkpoint holds every update");
            Assert.That(File.Exists(folder.BestCheckpointPath), "the first evaluation is kept as best.naf");
            Assert.That(summary.BestEvalSuccess, Is.InRange(0.0, 1.0));
            var rows = folder.ReadMetrics();
            Assert.That(rows, Is.Not.Empty);
            Assert.That(rows[^1].EnvSteps, Is.GreaterThanOrEqualTo(3000), "the last row is written when the budget is spent");
            Assert.That(rows[^1].Updates, Is.LessThanOrEqualTo(summary.TotalUpdates));
            Assert.That(folder.ReadEvals(), Is.Not.Empty, "at least the final evaluation");
            Assert.That(File.ReadLines(folder.EvalsPath).Skip(1).Count(l => l.Split(',')[5] == "1"), Is.GreaterThanOrEqualTo(1));
            // Workers 0 and 1, and −1 for the evaluation environment; the session disposes all of them.
            Assert.That(_created.Select(c => c.Index).Order(), Is.EqualTo(new[] { -1, 0, 1 }));
            Assert.That(_created.All(c => c.Environment.Disposed), "every environment is disposed");
        });
    }

    [Test]
    public void Run_ResumedFromCheckpoint_ContinuesTheUpdateCount()
    {
        var folder = RunFolder.Create(Path.Combine(_root, "r"));
        var first = new TrainingSession(Options(steps: 2000), folder, Create).Run(null, CancellationToken.None);
        int firstRows = folder.ReadMetrics().Count;
        var restored = NafCheckpoint.Load(folder.CheckpointPath);

        var second = new TrainingSession(Options(steps: 4000), folder, Create).Run(restored, CancellationToken.None);

        var rows = folder.ReadMetrics();
        Assert.Multiple(() =>
        {
            Assert.That(first.EnvSteps, Is.EqualTo(2000));
            Assert.That(second.EnvSteps, Is.EqualTo(4000), "the resumed run takes the 2000 steps its budget has left");
            Assert.That(second.TotalUpdates, Is.GreaterThan(first.TotalUpdates), "updates count on from the checkpoint");
            Assert.That(NafCheckpoint.Load(folder.CheckpointPath).Steps, Is.EqualTo(second.TotalUpdates));
            Assert.That(rows.Count, Is.GreaterThan(firstRows), "the resumed run appends to metrics.csv");
            Assert.That(rows[firstRows].Updates, Is.GreaterThanOrEqualTo(first.TotalUpdates),
                "the resumed run's rows count updates in the checkpoint's counter space");
            Assert.That(rows.Skip(firstRows).All(r => !(r.Staleness < 0)), "staleness within the resumed run's updates (NaN before an episode ends)");
        });
    }

    [Test]
    public void Run_Resumed_ContinuesWithTheSavedReplayAndStepCount()
    {
        var folder = RunFolder.Create(Path.Combine(_root, "r"));
        var first = new TrainingSession(Options(steps: 2000), folder, Create).Run(null, CancellationToken.None);
        string replay = folder.ReplayPath(first.TotalUpdates);
        var saved = NafNative.Replay.ReplayFile.Verify(replay);

        var second = new TrainingSession(Options(steps: 3000), folder, Create).Run(NafCheckpoint.Load(folder.CheckpointPath), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(saved.Updates, Is.EqualTo(first.TotalUpdates), "the final checkpoint's replay file is named and stamped with its update count");
            Assert.That(saved.EnvSteps, Is.EqualTo(first.EnvSteps));
            Assert.That(saved.Count, Is.EqualTo(Math.Min(first.EnvSteps, 4096)), "every transition the ring held (one per env step)");
            Assert.That(second.Restored, Is.EqualTo(saved), "the resumed run started from that file");
            Assert.That(second.EnvSteps, Is.GreaterThanOrEqualTo(3000), "the step budget counts the whole run");
            Assert.That(second.Metrics.TotalSteps, Is.LessThan(2000), "so the resumed part only ran the remaining steps");
            var last = folder.ReadMetrics().Last();
            long expectedFill = Math.Min(4096, saved.Count + (last.EnvSteps - saved.EnvSteps));
            Assert.That(last.ReplayFill, Is.InRange(expectedFill - 2, expectedFill + 2),
                "the ring holds the restored transitions plus this run's (within a step in flight per worker)");
            Assert.That(Directory.GetFiles(folder.Path, "replay-*.naf").Select(Path.GetFileName),
                Is.EqualTo(new[] { Path.GetFileName(folder.ReplayPath(second.TotalUpdates)) }), "older replay files are removed once superseded");
        });
    }

    [Test]
    public void Run_ReplayFileCorrupted_ResumeIsRefusedNamingIt()
    {
        var folder = RunFolder.Create(Path.Combine(_root, "r"));
        var first = new TrainingSession(Options(steps: 1000), folder, Create).Run(null, CancellationToken.None);
        string replay = folder.ReplayPath(first.TotalUpdates);
        var bytes = File.ReadAllBytes(replay);
        bytes[bytes.Length / 2] ^= 1;
        File.WriteAllBytes(replay, bytes);

        var error = Assert.Throws<InvalidDataException>(() =>
            new TrainingSession(Options(steps: 2000), folder, Create).Run(NafCheckpoint.Load(folder.CheckpointPath), CancellationToken.None))!;

        Assert.That(error.Message, Does.Contain(replay).And.Contain("corrupted").And.Contain("delete it"));
        Assert.That(NafCheckpoint.Load(folder.CheckpointPath).Steps, Is.EqualTo(first.TotalUpdates), "the checkpoint is untouched");
    }

    [Test]
    public void Run_EarlierBestBetterThanAnyEvaluation_KeepsBestFile()
    {
        var folder = RunFolder.Create(Path.Combine(_root, "r"));
        // An earlier run's best: success 1 and a return no point-mass episode (rewards ≤ 0) reaches.
        folder.AppendEval(1, 100, 50, 1.0, 1e9, kept: true);
        byte[] earlier = [1, 2, 3, 4];
        File.WriteAllBytes(folder.BestCheckpointPath, earlier);

        var summary = new TrainingSession(Options(steps: 2000), folder, Create).Run(null, CancellationToken.None);

        var kept = File.ReadLines(folder.EvalsPath).Skip(2).Select(l => l.Split(',')[5]).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(kept, Is.Not.Empty, "this run evaluated");
            Assert.That(kept, Is.All.EqualTo("0"), "no evaluation beats the kept best");
            Assert.That(File.ReadAllBytes(folder.BestCheckpointPath), Is.EqualTo(earlier), "best.naf is left as it was");
            Assert.That(summary.BestEvalSuccess, Is.EqualTo(1.0));
        });
    }

    [Test]
    public void Run_CancelledWithoutBudget_InterruptedWithCheckpointAndNoFinalEvaluation()
    {
        var folder = RunFolder.Create(Path.Combine(_root, "r"));
        var options = Options(steps: null) with { EvalEverySeconds = 3600 };
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));

        var summary = new TrainingSession(options, folder, Create).Run(null, cancel.Token);

        Assert.Multiple(() =>
        {
            Assert.That(summary.Interrupted, Is.True);
            Assert.That(NafCheckpoint.Load(folder.CheckpointPath).Steps, Is.EqualTo(summary.TotalUpdates));
            Assert.That(folder.ReadEvals(), Is.Empty, "an interrupted run skips the final evaluation");
            Assert.That(double.IsNegativeInfinity(summary.BestEvalSuccess), "no evaluation, no best");
        });
    }
}

using NafNative.Environments;
using NafNative.Learning;
using NafNative.Learning.Exploration;
using NafNative.Naf;
using NafNative.Replay;
using NUnit.Framework;

namespace NafNative.Tests.Learning;

/// <summary>Hindsight relabelling ("future" strategy): every copy carries a goal the episode reached at that step or
/// later, in both observations, with the reward rescored against it; the worker stores k copies per real step.</summary>
public sealed class HindsightRelabelerTests
{
    /// <summary>Observation [goal, achieved]; the reward is −|achieved′ − goal|.</summary>
    private sealed class LineGoals : IGoalRelabeling
    {
        public (int Offset, int Length) GoalSlice => (0, 1);
        public (int Offset, int Length) AchievedSlice => (1, 1);
        public float Relabel(float reward, ReadOnlySpan<float> next, ReadOnlySpan<float> goal) =>
            reward + MathF.Abs(next[1] - next[0]) - MathF.Abs(next[1] - goal[0]);
    }

    /// <summary>A point walking +1 per step toward a goal at 10 that it never reaches in its 5 steps.</summary>
    private sealed class WalkEnvironment : IEnvironment
    {
        private readonly LineGoals _goals = new();
        private int _steps;
        public string Name => "walk";
        public int ObservationSize => 2;
        public int ActionSize => 1;
        public double ControlRate => 20;
        public int MaxEpisodeSteps => 5;
        public bool IsSuccess => false;
        public IGoalRelabeling? GoalRelabeling => _goals;

        public void Reset(int seed, Span<float> observation)
        {
            _steps = 0;
            observation[0] = 10;
            observation[1] = 0;
        }

        public StepResult Step(ReadOnlySpan<float> action, Span<float> observation)
        {
            observation[0] = 10;
            observation[1] = ++_steps;
            return new StepResult(-MathF.Abs(observation[1] - 10), false, _steps >= MaxEpisodeSteps);
        }

        public void Dispose() { }
    }

    [Test]
    public void Flush_EachCopyCarriesAFutureAchievedGoalAndItsReward()
    {
        var relabeler = new HindsightRelabeler(new LineGoals(), perStep: 3, observationSize: 2, actionSize: 1, seed: 5);
        var ring = new ReplayRing(64, 2, 1);
        for (int t = 0; t < 5; t++)
            relabeler.Add([10f, t], [0.1f * t], -MathF.Abs(t + 1 - 10), [10f, t + 1], false, t == 4);
        Assert.That(relabeler.Flush(ring), Is.EqualTo(15));
        Assert.That(relabeler.Count, Is.Zero);

        var row = new float[ring.Stride];
        var seenGoals = new HashSet<(int, int)>();
        for (long ticket = 0; ticket < 15; ticket++)
        {
            Assert.That(ring.TryCopyTicket(ticket, row, TimeSpan.Zero), Is.True);
            float goal = row[0], achieved = row[1], action = row[2], reward = row[3], nextGoal = row[4], nextAchieved = row[5];
            int t = (int)achieved;
            string at = $"copy {ticket} (step {t})";
            Assert.That(goal, Is.EqualTo(nextGoal), $"{at}: the same goal in x and x′");
            Assert.That(goal, Is.InRange(t + 1f, 5f), $"{at}: a goal reached at this step or later");
            Assert.That(nextAchieved, Is.EqualTo(t + 1f), at);
            Assert.That(action, Is.EqualTo(0.1f * t), at);
            Assert.That(reward, Is.EqualTo(-MathF.Abs(t + 1 - goal)), $"{at}: rescored against the new goal");
            seenGoals.Add((t, (int)goal));
        }
        Assert.That(seenGoals, Has.Some.Matches<(int T, int G)>(p => p.G == p.T + 1), "the step's own outcome is among the goals drawn");
        Assert.That(seenGoals, Has.Some.Matches<(int T, int G)>(p => p.G > p.T + 1), "and later ones");
    }

    [Test]
    public void Add_LongEpisode_GrowsAndKeepsEveryTransition()
    {
        var relabeler = new HindsightRelabeler(new LineGoals(), perStep: 1, observationSize: 2, actionSize: 1, seed: 1);
        for (int t = 0; t < 1000; t++) relabeler.Add([0f, t], [0f], 0f, [0f, t + 1], false, false);
        var ring = new ReplayRing(1024, 2, 1);
        Assert.That(relabeler.Flush(ring), Is.EqualTo(1000));
        var row = new float[ring.Stride];
        Assert.That(ring.TryCopyTicket(999, row, TimeSpan.Zero), Is.True);
        Assert.That((row[1], row[0]), Is.EqualTo((999f, 1000f)), "the last step's only future is its own outcome");
    }

    [Test]
    public void Constructor_SlicesOutsideTheObservation_AreRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => new HindsightRelabeler(new LineGoals(), 1, observationSize: 1, actionSize: 1, seed: 1));
        Assert.That(e!.Message, Does.Contain("inside the observation of 1"));
    }

    [Test]
    public void TrainingRun_WithRelabels_StoresKCopiesOfEveryFinishedEpisode()
    {
        var trainer = new NafTrainer(new NafOptions { ObservationSize = 2, ActionSize = 1, HiddenSizes = [8], BatchSize = 8, Seed = 1 });
        var setup = new WorkerSetup(new WalkEnvironment(), new NafPolicy(trainer.Network), new GaussianNoise(new NoiseSchedule(0.3f, 1f, 0.3f), seed: 2),
            Seed: 0, GoalRelabels: 2);
        var ring = new ReplayRing(1 << 14, 2, 1);
        RunMetricsSnapshot m;
        using (var run = new TrainingRun(trainer, ring, new LearnerOptions { MinReplayFill = 32, PublishEvery = 10 }, [setup], Pacing.AsFastAsPossible))
        {
            run.Start();
            run.Wait(r => r.Read(0).TotalSteps >= 500, TimeSpan.FromMilliseconds(5), new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
            run.Stop();
            m = run.Metrics.Read();
        }
        Assert.Multiple(() =>
        {
            Assert.That(m.HindsightInserts, Is.EqualTo(2 * 5 * m.Episodes), "two copies of each of the five steps of every finished episode");
            Assert.That(ring.Inserted, Is.EqualTo(m.TotalSteps + m.HindsightInserts), "every real step stored once, plus the copies");
        });
    }

    [Test]
    public void Worker_RelabelsOnATaskWithoutAGoal_IsRefusedNamingTheTask()
    {
        using var env = new PointMassEnvironment();
        var trainer = new NafTrainer(new NafOptions { ObservationSize = env.ObservationSize, ActionSize = env.ActionSize, HiddenSizes = [8], BatchSize = 8, Seed = 1 });
        var e = Assert.Throws<ArgumentException>(() => new Worker(0, env, new NafPolicy(trainer.Network), new GaussianNoise(new NoiseSchedule(0.3f, 1f, 0.3f), 1),
            new ReplayRing(64, env.ObservationSize, env.ActionSize), new SnapshotPublisher(), new RunMetrics(1), Pacing.AsFastAsPossible, 0, goalRelabels: 4));
        Assert.That(e!.Message, Does.Contain($"task '{env.Name}' has no goal"));
    }
}

using NafNative.Learning;
using NafNative.Learning.Exploration;
using NafNative.Naf;
using NafNative.Replay;
using NUnit.Framework;

namespace NafNative.Tests.Learning;

[TestFixture]
public sealed class TrainingRunTests
{
    private static (TrainingRun Run, PointMassEnvironment[] Envs, NafTrainer Trainer) Create(int workers, Pacing pacing,
        LearnerOptions? learner = null, double controlRate = 1000, long throwAtStep = -1, long restoredSteps = 0, int discardAtEpisodeStep = -1,
        long? stepLimit = null)
    {
        var trainer = new NafTrainer(new NafOptions { ObservationSize = 2, ActionSize = 1, HiddenSizes = [16], BatchSize = 16, Seed = 1 });
        if (restoredSteps > 0)
            trainer.Restore(trainer.Online.Values, trainer.Target, trainer.AdamFirstMoment, trainer.AdamSecondMoment, restoredSteps);
        var ring = new ReplayRing(4096, 2, 1);
        var envs = new PointMassEnvironment[workers];
        var setups = new WorkerSetup[workers];
        for (int i = 0; i < workers; i++)
        {
            envs[i] = new PointMassEnvironment(controlRate, throwAtStep: i == workers - 1 ? throwAtStep : -1, discardAtEpisodeStep: discardAtEpisodeStep);
            setups[i] = new WorkerSetup(envs[i], new NafPolicy(trainer.Network), new GaussianNoise(new NoiseSchedule(0.3f, 0.99f, 0.05f), seed: i), Seed: i);
        }
        var run = new TrainingRun(trainer, ring, learner ?? new LearnerOptions { MinReplayFill = 64, PublishEvery = 10 }, setups, pacing,
            stepLimit: stepLimit);
        return (run, envs, trainer);
    }

    [Test]
    public void Run_TwoWorkers_UpdatesCollectsAndPublishes()
    {
        var (run, envs, trainer) = Create(2, Pacing.AsFastAsPossible);
        using (run)
        {
            run.Start();
            run.Wait(m => m.Updates >= 500 && m.Read().Episodes >= 10, TimeSpan.FromMilliseconds(5), new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        }
        var m = run.Metrics.Read();
        Assert.Multiple(() =>
        {
            Assert.That(m.Updates, Is.GreaterThanOrEqualTo(500));
            Assert.That(m.StepsPerWorker, Has.All.GreaterThan(0), "every worker stepped its robot");
            Assert.That(m.TotalSteps, Is.EqualTo(run.Ring.Inserted), "every step was inserted exactly once");
            Assert.That(run.Publisher.Latest!.Version, Is.GreaterThan(1), "the learner published after the initial snapshot");
            Assert.That(run.Publisher.Latest!.UpdateCount % 10, Is.Zero, "snapshots are published every PublishEvery updates");
            Assert.That(m.RecentEpisodes.Select(e => e.Staleness), Has.All.InRange(0, m.Updates), "updates since the episode's snapshot: at most every update of the run");
            Assert.That(envs.Select(e => e.Disposed), Has.All.True, "Stop disposes the environments");
            Assert.That(trainer.Steps, Is.EqualTo(m.Updates));
        });
    }

    /// <summary>A resumed trainer's update count starts above zero; staleness must still count only the updates
    /// between the snapshot a worker used and the episode's end (it went to −3,366 after --resume).</summary>
    [Test]
    public void RecordEpisode_TrainerRestoredToSteps_StalenessWithinThisRunsUpdates()
    {
        const long restored = 5000;
        var (run, _, trainer) = Create(2, Pacing.AsFastAsPossible, restoredSteps: restored);
        using (run)
        {
            run.Start();
            run.Wait(m => m.Updates >= 300 && m.Read().Episodes >= 20, TimeSpan.FromMilliseconds(5), new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        }
        var m = run.Metrics.Read(recentEpisodes: 1000);
        Assert.Multiple(() =>
        {
            Assert.That(trainer.Steps, Is.EqualTo(restored + m.Updates), "the trainer continued from its restored count");
            Assert.That(run.Publisher.Latest!.UpdateCount, Is.GreaterThan(restored));
            Assert.That(m.RecentEpisodes.Select(e => e.Staleness), Has.All.InRange(0, m.Updates),
                "staleness counts updates of this run since the episode's snapshot: never negative, never more than the run made");
        });
    }

    /// <summary>A step the environment marks Discard (a MuJoCo instability reset) ends the episode, is counted, and
    /// is never stored: not as a terminal, not at all.</summary>
    [Test]
    public void Worker_DiscardedStep_EndsEpisodeCountedAndNotStored()
    {
        const int discardAt = 5;
        var (run, _, _) = Create(2, Pacing.AsFastAsPossible, discardAtEpisodeStep: discardAt);
        using (run)
        {
            run.Start();
            run.Wait(m => m.Read().Episodes >= 20, TimeSpan.FromMilliseconds(5), new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        }
        var m = run.Metrics.Read(recentEpisodes: 1000);
        var batch = new ReplayBatch(256, run.Ring);
        var random = new ReplayRandom(1);
        run.Ring.Sample(batch, ref random);
        Assert.Multiple(() =>
        {
            Assert.That(m.DiscardedSteps, Is.EqualTo(m.Episodes), "every finished episode ended in exactly one discarded step");
            Assert.That(run.Ring.Inserted, Is.EqualTo(m.TotalSteps - m.DiscardedSteps), "every step but the discarded ones was stored");
            Assert.That(m.RecentEpisodes.Select(e => e.Steps), Has.All.EqualTo(discardAt), "the discarded step ended each episode");
            Assert.That(m.RecentEpisodes.Select(e => e.Return), Has.All.GreaterThan(-1e3f), "its reward is not in the return");
            Assert.That(batch.Terminated, Has.All.Zero, "no discarded step became a terminal");
            Assert.That(batch.Truncated, Has.All.Zero, "no discarded step was stored at all");
            Assert.That(batch.Rewards, Has.All.GreaterThan(-1e3f));
        });
    }

    [Test]
    public void Stop_AfterStop_NoThreadKeepsRunning()
    {
        var (run, _, _) = Create(2, Pacing.AsFastAsPossible);
        using (run)
        {
            run.Start();
            run.Wait(m => m.Updates >= 50, TimeSpan.FromMilliseconds(5), new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        }
        var after = run.Metrics.Read();
        Thread.Sleep(100);
        var later = run.Metrics.Read();
        Assert.That((later.Updates, later.TotalSteps), Is.EqualTo((after.Updates, after.TotalSteps)), "counters froze: every thread has exited");
    }

    [Test]
    public void Wait_WorkerThrows_StopsRunWithThatError()
    {
        var (run, _, _) = Create(2, Pacing.AsFastAsPossible, throwAtStep: 300);
        using (run)
        {
            run.Start();
            var e = Assert.Throws<InvalidOperationException>(() =>
                run.Wait(_ => false, TimeSpan.FromMilliseconds(5), new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token));
            Assert.That(e!.Message, Does.Contain("worker 1 (point-mass) failed"));
            Assert.That(e.InnerException, Is.TypeOf<IOException>());
            Assert.That(run.IsFaulted, Is.True);
        }
    }

    /// <summary>An environment whose Dispose throws must neither leave the others undisposed nor hide the worker
    /// failure that stopped the run.</summary>
    [Test]
    public void Stop_WorkerFailedAndAnEnvironmentThrowsOnDispose_ReportsTheWorkerFailureAndDisposesAll()
    {
        var trainer = new NafTrainer(new NafOptions { ObservationSize = 2, ActionSize = 1, HiddenSizes = [8], BatchSize = 8, Seed = 1 });
        var envs = new[] { new PointMassEnvironment(throwOnDispose: true), new PointMassEnvironment(throwAtStep: 300), new PointMassEnvironment(throwOnDispose: true) };
        var setups = envs.Select((e, i) => new WorkerSetup(e, new NafPolicy(trainer.Network), new GaussianNoise(new NoiseSchedule(0.3f), seed: i), i)).ToArray();
        using (var run = new TrainingRun(trainer, new ReplayRing(1024, 2, 1), new LearnerOptions { MinReplayFill = 32 }, setups, Pacing.AsFastAsPossible))
        {
            run.Start();
            var e = Assert.Throws<InvalidOperationException>(() =>
                run.Wait(_ => false, TimeSpan.FromMilliseconds(5), new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token));
            Assert.That(e!.Message, Does.Contain("worker 1 (point-mass) failed").And.Contain("simulated link failure"));
        }
        Assert.That(envs.Select(x => x.Disposed), Has.All.True, "every environment was disposed although the first one threw");
    }

    [Test]
    public void Stop_OnlyDisposeThrows_ReportsThatEnvironment()
    {
        var trainer = new NafTrainer(new NafOptions { ObservationSize = 2, ActionSize = 1, HiddenSizes = [8], BatchSize = 8, Seed = 1 });
        var bad = new PointMassEnvironment(throwOnDispose: true);
        using var run = new TrainingRun(trainer, new ReplayRing(1024, 2, 1), new LearnerOptions { MinReplayFill = 32 },
            [new WorkerSetup(bad, new NafPolicy(trainer.Network), new GaussianNoise(new NoiseSchedule(0.3f), seed: 0), 0)], Pacing.AsFastAsPossible);
        run.Start();
        var e = Assert.Throws<InvalidOperationException>(() => run.Stop());
        Assert.That(e!.Message, Does.Contain("disposing the environment of worker 0 (point-mass) failed").And.Contain("closing the link"));
        Assert.That(bad.Disposed, Is.True);
    }

    /// <summary>Four workers stepping a fast task flat out, polled only every 200 ms: the budget still stops them at
    /// exactly the limit, every step inserted once (a poll-checked budget overshot by thousands of steps).</summary>
    [Test]
    public void StepLimit_FourWorkersFlatOut_TakeExactlyTheLimitBetweenThem()
    {
        const long limit = 3001;
        var (run, _, _) = Create(4, Pacing.AsFastAsPossible, stepLimit: limit);
        using (run)
        {
            run.Start();
            run.Wait(m => m.Read().TotalSteps >= limit, TimeSpan.FromMilliseconds(200), new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        }
        var m = run.Metrics.Read();
        Assert.Multiple(() =>
        {
            Assert.That(m.TotalSteps, Is.EqualTo(limit));
            Assert.That(run.Ring.Inserted, Is.EqualTo(limit), "every step inserted exactly once");
            Assert.That(run.Budget!.Spent, Is.True);
            Assert.That(run.Budget.Claimed, Is.EqualTo(limit));
        });
    }

    [Test]
    public void StepLimit_Zero_NoWorkerSteps()
    {
        var (run, _, _) = Create(2, Pacing.AsFastAsPossible, stepLimit: 0);
        using (run)
        {
            run.Start();
            Thread.Sleep(100);
            run.Stop();
        }
        Assert.That(run.Metrics.Read().TotalSteps, Is.Zero);
    }

    [Test]
    public void Learner_UpdatesPerInsertRatio_NeverExceedsIt()
    {
        var (run, _, _) = Create(1, Pacing.AsFastAsPossible, new LearnerOptions { MinReplayFill = 32, PublishEvery = 5, UpdatesPerInsert = 0.25 });
        using (run)
        {
            run.Start();
            run.Wait(m => m.Updates >= 200, TimeSpan.FromMilliseconds(5), new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        }
        var m = run.Metrics.Read();
        Assert.That(m.Updates, Is.LessThanOrEqualTo(0.25 * run.Ring.Inserted + 1), $"updates {m.Updates}, inserted {run.Ring.Inserted}");
    }

    /// <summary>Real-time pacing can only slow a worker: it never exceeds the control rate (a bound that holds
    /// however loaded the machine is, so the test cannot flake on a slow CI box).</summary>
    [Test]
    public void Worker_RealTimePacing_NeverExceedsControlRate()
    {
        const double rate = 200;
        var (run, _, _) = Create(2, Pacing.RealTime, controlRate: rate);
        using (run)
        {
            run.Start();
            Thread.Sleep(500);
            run.Stop();
        }
        var m = run.Metrics.Read();
        foreach (long steps in m.StepsPerWorker)
            Assert.That(steps, Is.LessThanOrEqualTo(rate * m.ElapsedSeconds + 1).And.GreaterThan(0), $"elapsed {m.ElapsedSeconds:F3} s");
    }

    [Test]
    public void Constructor_EnvironmentShapeMismatch_NamesBoth()
    {
        var trainer = new NafTrainer(new NafOptions { ObservationSize = 3, ActionSize = 1, HiddenSizes = [8], BatchSize = 4 });
        var ring = new ReplayRing(64, 3, 1);
        var setup = new WorkerSetup(new PointMassEnvironment(), new NafPolicy(trainer.Network), new GaussianNoise(new NoiseSchedule(0.1f), 0), 0);
        var e = Assert.Throws<ArgumentException>(() => new TrainingRun(trainer, ring, new LearnerOptions(), [setup], Pacing.AsFastAsPossible));
        Assert.That(e!.Message, Does.Contain("obs 2").And.Contain("obs 3"));
    }
}

using System.Diagnostics;
using NafNative.Learning;
using NafNative.Learning.Exploration;
using NafNative.Naf;
using NafNative.Replay;
using NUnit.Framework;

namespace NafNative.Tests.Learning;

/// <summary>Stopping never hangs: every wait observes cancellation, and a thread that still does not stop is named.</summary>
public sealed class StoppingTests
{
    private static readonly NafOptions Options = new() { ObservationSize = 2, ActionSize = 1, HiddenSizes = [8], BatchSize = 8, Seed = 1 };

    private static TrainingRun Create(PointMassEnvironment env, Pacing pacing, TimeSpan? stopTimeout = null, TimeSpan? watchdog = null)
    {
        var trainer = new NafTrainer(Options);
        var setup = new WorkerSetup(env, new NafPolicy(trainer.Network), new GaussianNoise(new NoiseSchedule(0.3f), seed: 0), 0);
        return new TrainingRun(trainer, new ReplayRing(1024, 2, 1), new LearnerOptions { MinReplayFill = 32 }, [setup], pacing,
            watchdogPeriod: watchdog)
        {
            StopTimeout = stopTimeout ?? TimeSpan.FromSeconds(2),
        };
    }

    private static void WaitFor(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(30)), "timed out waiting for the run to get going");
            Thread.Sleep(5);
        }
    }

    [Test]
    public void Stop_RealTimePacingWithALongControlPeriod_ReturnsWithoutWaitingThePeriodOut()
    {
        // 0.4 Hz: each paced step waits 2.5 s; a Thread.Sleep there made Stop wait it out.
        var env = new PointMassEnvironment(controlRate: 0.4);
        using var run = Create(env, Pacing.RealTime);
        run.Start();
        WaitFor(() => env.TotalSteps >= 1);
        var clock = Stopwatch.StartNew();
        run.Stop();
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(1)), "the pacing wait wakes on cancellation");
    }

    [Test]
    public void Stop_WorkerStuckInStep_ThrowsNamingItWithinTheStopTimeout()
    {
        var env = new PointMassEnvironment(stallAtStep: 50, stall: TimeSpan.FromSeconds(4));
        using var run = Create(env, Pacing.AsFastAsPossible, stopTimeout: TimeSpan.FromMilliseconds(300), watchdog: TimeSpan.FromSeconds(30));
        run.Start();
        WaitFor(() => env.TotalSteps >= 50);
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<TimeoutException>(() => run.Stop());
        Assert.Multiple(() =>
        {
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(2)), "Stop does not wait for the stuck step");
            Assert.That(e!.Message, Does.Contain("worker 0 (point-mass) did not stop within 0.3 s"));
            Assert.That(env.Disposed, Is.False, "an environment its thread is still inside is not disposed");
        });
    }

    [Test]
    public void TrySample_EveryCandidateBeingWritten_ReturnsFalseOnceCancelled()
    {
        var ring = new ReplayRing(1, 2, 1);
        using var claimed = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        ring.AfterClaimForTest = _ => { claimed.Set(); release.Wait(TimeSpan.FromSeconds(30)); };
        var writer = new Thread(() => ring.Insert([1f, 2f], [0.5f], 1f, [3f, 4f], false, false)) { IsBackground = true };
        writer.Start();
        Assert.That(claimed.Wait(TimeSpan.FromSeconds(30)), Is.True);
        try
        {
            // The only slot stays mid-write: without a token the sampler would retry forever.
            var batch = new ReplayBatch(4, ring);
            var random = new ReplayRandom(1);
            using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
            var clock = Stopwatch.StartNew();
            Assert.That(ring.TrySample(batch, ref random, cancel.Token), Is.False);
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(2)));
            Assert.That(ring.TornRetries, Is.GreaterThan(0), "the retries were counted");
        }
        finally
        {
            release.Set();
            writer.Join();
        }
    }

    [Test]
    public void Evaluation_Cancelled_ThrowsInsteadOfFinishingItsEpisodes()
    {
        var trainer = new NafTrainer(Options);
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        Assert.Throws<OperationCanceledException>(() =>
            Evaluation.Run(new PointMassEnvironment(), trainer.Network, trainer.Online.Values, episodes: 1000, cancellation: cancel.Token));
    }
}

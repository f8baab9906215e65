using System.Diagnostics;
using NafNative.Learning;
using NafNative.Learning.Exploration;
using NafNative.Naf;
using NafNative.Replay;
using NafNative.Tests.Safety;
using NUnit.Framework;

namespace NafNative.Tests.Learning;

/// <summary>The worker's watchdog: a stalled policy or a stuck environment stops the run and no command follows the
/// trip; a healthy run never trips.</summary>
public sealed class WorkerWatchdogTests
{
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(200);

    private static (TrainingRun Run, PointMassEnvironment Env) Create(PointMassEnvironment env, Func<NafPolicy, IPolicy>? wrap = null,
        TimeSpan? period = null, TimeProvider? time = null)
    {
        var trainer = new NafTrainer(new NafOptions { ObservationSize = 2, ActionSize = 1, HiddenSizes = [8], BatchSize = 8, Seed = 1 });
        var policy = new NafPolicy(trainer.Network);
        var setup = new WorkerSetup(env, wrap?.Invoke(policy) ?? policy, new GaussianNoise(new NoiseSchedule(0.3f), seed: 0), Seed: 0);
        var run = new TrainingRun(trainer, new ReplayRing(1024, 2, 1), new LearnerOptions { MinReplayFill = 32, PublishEvery = 10 }, [setup],
            Pacing.AsFastAsPossible, watchdogPeriod: period ?? Period, timeProvider: time);
        return (run, env);
    }

    /// <summary>A policy that takes <paramref name="stall"/> of (manual) time on its <paramref name="at"/>-th call.</summary>
    private sealed class StallingPolicy(IPolicy inner, ManualTimeProvider clock, long at, TimeSpan stall) : IPolicy
    {
        private long _calls;

        public void Explore(ParameterSnapshot snapshot, ReadOnlySpan<float> observation, IExplorationNoise noise, Span<float> action)
        {
            if (++_calls == at) clock.Advance(stall);
            inner.Explore(snapshot, observation, noise, action);
        }
    }

    [Test]
    public void Run_PolicyStallsPastThePeriod_StopsBeforeTheNextCommand()
    {
        const long stallAt = 150;
        var clock = new ManualTimeProvider();
        var (run, env) = Create(new PointMassEnvironment(), p => new StallingPolicy(p, clock, stallAt, 2 * Period), time: clock);
        using (run)
        {
            run.Start();
            var e = Assert.Throws<InvalidOperationException>(() =>
                run.Wait(_ => false, TimeSpan.FromMilliseconds(5), new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token));
            Assert.That(e!.Message, Does.Contain("worker 0 (point-mass) failed").And.Contain("watchdog tripped").And.Contain("no command for 200.0 ms"), "the timer trips at the deadline, mid-stall");
            Assert.That(e.InnerException, Is.TypeOf<TimeoutException>());
        }
        Assert.That(env.TotalSteps, Is.EqualTo(stallAt - 1), "the action computed by the stalled policy was never sent");
    }

    [Test]
    public void Run_EnvironmentStuckInStep_TimerStopsTheRunAndNoFurtherStepFollows()
    {
        const long stuckAt = 100;
        var stall = TimeSpan.FromSeconds(1.5);
        var (run, env) = Create(new PointMassEnvironment(stallAtStep: stuckAt, stall: stall));
        var clock = Stopwatch.StartNew();
        TimeSpan? stopping = null;
        using (run)
        {
            run.Start();
            using var seen = run.Stopping.Register(() => stopping = clock.Elapsed);
            var e = Assert.Throws<InvalidOperationException>(() =>
                run.Wait(_ => false, TimeSpan.FromMilliseconds(5), new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token));
            Assert.That(e!.Message, Does.Contain("watchdog tripped").And.Contain("(period 200.0 ms)"));
        }
        Assert.Multiple(() =>
        {
            Assert.That(env.TotalSteps, Is.EqualTo(stuckAt), "no command after the stuck step");
            Assert.That(stopping, Is.Not.Null.And.LessThan(clock.Elapsed - TimeSpan.FromMilliseconds(200)),
                "the timer stopped the run while the step was still stuck, not after it returned");
        });
    }

    [Test]
    public void Run_HealthySteps_NeverTrip()
    {
        var (run, _) = Create(new PointMassEnvironment(), period: Worker.DefaultWatchdogPeriod(new PointMassEnvironment()));
        using (run)
        {
            run.Start();
            Assert.DoesNotThrow(() =>
                run.Wait(m => m.Updates >= 200 && m.Read().Episodes >= 20, TimeSpan.FromMilliseconds(5), new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token));
        }
        Assert.That(run.IsFaulted, Is.False);
    }

    [Test]
    public void Run_ResetsLongerThanThePeriod_DoNotTrip()
    {
        // Homing between episodes takes 3 periods each time; the loop sends nothing meanwhile and must not trip.
        var (run, env) = Create(new PointMassEnvironment(maxEpisodeSteps: 5, resetTakes: 3 * Period));
        using (run)
        {
            run.Start();
            Assert.DoesNotThrow(() =>
                run.Wait(m => m.Read().Episodes >= 4, TimeSpan.FromMilliseconds(5), new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token));
        }
        Assert.That(run.IsFaulted, Is.False);
    }

    [Test]
    public void DefaultWatchdogPeriod_FourControlPeriodsAtLeastFiveSeconds() =>
        Assert.Multiple(() =>
        {
            Assert.That(Worker.DefaultWatchdogPeriod(new PointMassEnvironment(controlRate: 0.5)), Is.EqualTo(TimeSpan.FromSeconds(8)));
            Assert.That(Worker.DefaultWatchdogPeriod(new PointMassEnvironment(controlRate: 0.5), timeScale: 4), Is.EqualTo(TimeSpan.FromSeconds(5)));
            Assert.That(Worker.DefaultWatchdogPeriod(new PointMassEnvironment(controlRate: 1000)), Is.EqualTo(TimeSpan.FromSeconds(5)));
        });
}

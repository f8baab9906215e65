using NafNative.Environments;
using NafNative.Learning;
using NafNative.Learning.Exploration;
using NafNative.Naf;
using NafNative.Replay;
using NafNative.Safety;
using NUnit.Framework;

namespace NafNative.Tests.Learning;

/// <summary>Where a safety filter changed the command, the replay pairs the outcome with the action executed, not the
/// one the policy asked for (issue 19, fault 11), and the run counts which rule acted.</summary>
[TestFixture]
public sealed class ExecutedActionTests
{
    private const float Limit = 0.2f;

    /// <summary>A one-joint "arm" whose filter clamps |u| to 0.2; reward and next observation reveal the executed u.</summary>
    private sealed class ClampingEnvironment : IEnvironment
    {
        private readonly float[] _executed = new float[1];
        private int _steps;

        public string Name => "clamp";
        public int ObservationSize => 2;
        public int ActionSize => 1;
        public double ControlRate => 20;
        public int MaxEpisodeSteps => 20;
        public bool IsSuccess => false;
        public ReadOnlySpan<float> ExecutedAction => _executed;

        public void Reset(int seed, Span<float> observation)
        {
            _steps = 0;
            observation.Clear();
        }

        public StepResult Step(ReadOnlySpan<float> action, Span<float> observation)
        {
            _executed[0] = Math.Clamp(action[0], -Limit, Limit);
            bool clamped = _executed[0] != action[0];
            observation[0] = _executed[0];
            observation[1] = ++_steps;
            return new StepResult(_executed[0], false, _steps >= MaxEpisodeSteps, clamped, Interventions: clamped ? SafetyInterventions.VelocityClamped : SafetyInterventions.None);
        }

        public void Dispose() { }
    }

    [Test]
    public void Worker_FilterClampsTheCommand_StoresTheExecutedActionAndCountsTheRule()
    {
        var trainer = new NafTrainer(new NafOptions { ObservationSize = 2, ActionSize = 1, HiddenSizes = [8], BatchSize = 8, Seed = 1 });
        // Noise σ = 1: most commands exceed the limit.
        var setup = new WorkerSetup(new ClampingEnvironment(), new NafPolicy(trainer.Network), new GaussianNoise(new NoiseSchedule(1f, 1f, 1f), seed: 2), Seed: 0);
        var ring = new ReplayRing(4096, 2, 1);
        RunMetricsSnapshot metrics;
        using (var run = new TrainingRun(trainer, ring, new LearnerOptions { MinReplayFill = 32, PublishEvery = 10 }, [setup], Pacing.AsFastAsPossible))
        {
            run.Start();
            run.Wait(m => m.Read(0).TotalSteps >= 1000, TimeSpan.FromMilliseconds(5), new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
            run.Stop();
            metrics = run.Metrics.Read();
        }

        var row = new float[ring.Stride];
        int checkedRows = 0;
        var (first, end) = ring.HeldTickets();
        for (long t = first; t < end; t++)
        {
            if (!ring.TryCopyTicket(t, row, TimeSpan.Zero)) continue;
            float action = row[2], reward = row[3], executedSeen = row[4];
            Assert.That(action, Is.EqualTo(reward), $"ticket {t}: the stored action is the executed one (the reward reveals it)");
            Assert.That(action, Is.EqualTo(executedSeen));
            Assert.That(Math.Abs(action), Is.LessThanOrEqualTo(Limit));
            checkedRows++;
        }
        Assert.Multiple(() =>
        {
            Assert.That(checkedRows, Is.GreaterThanOrEqualTo(1000));
            Assert.That(metrics.SafetyInterventions, Is.GreaterThan(metrics.TotalSteps / 2), "σ = 1 noise: most commands were clamped");
            Assert.That(metrics.VelocityClamped, Is.EqualTo(metrics.SafetyInterventions), "each clamped step counted under its rule");
            Assert.That(metrics.JointLimited + metrics.WorkspaceStopped, Is.Zero);
        });
    }
}

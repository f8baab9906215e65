using NafNative.Learning;
using NafNative.Naf;
using NafNative.Replay;
using NUnit.Framework;

namespace NafNative.Tests.Learning;

/// <summary>The learner with prioritised replay: it trains through the sampler, feeds TD errors back, and refuses an
/// update step that cannot weight rows.</summary>
public sealed class LearnerPrioritizedTests
{
    [Test]
    public void Run_WithPriorityExponent_TrainsAndSetsPrioritiesFromTdErrors()
    {
        var naf = new NafOptions { ObservationSize = 3, ActionSize = 2, HiddenSizes = [16, 16], BatchSize = 16, Seed = 4 };
        var ring = new ReplayRing(256, 3, 2);
        var rng = new Random(TestData.SeedFor(980));
        for (int i = 0; i < 256; i++)
        {
            float[] x = TestData.Uniform(rng, 3), u = TestData.Uniform(rng, 2), next = TestData.Uniform(rng, 3);
            // One transition in 16 carries a large reward: its TD error, hence its priority, stands out.
            ring.Insert(x, u, i % 16 == 0 ? 10f : 0.1f * x[0], next, terminated: true, truncated: false);
        }
        var trainer = new NafTrainer(naf);
        var options = new LearnerOptions { MinReplayFill = 16, PriorityExponent = 0.6, ImportanceExponent = 0.4, Seed = 2 };
        var metrics = new RunMetrics(1);
        var learner = new Learner(ring, trainer, new SnapshotPublisher(), options, metrics);
        using var stop = new CancellationTokenSource();
        var thread = new Thread(() => learner.Run(stop.Token)) { IsBackground = true };
        thread.Start();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (metrics.Updates < 300 && clock.Elapsed < TimeSpan.FromSeconds(60)) Thread.Sleep(5);
        stop.Cancel();
        Assert.That(thread.Join(TimeSpan.FromSeconds(10)), Is.True);

        var sampler = learner.Prioritized!;
        Assert.That(sampler, Is.Not.Null);
        Assert.That(trainer.Steps, Is.GreaterThanOrEqualTo(300));
        Assert.That(sampler.MaxPriority, Is.Not.EqualTo(1.0), "TD errors must have replaced the initial priority");
        double large = 0, small = 0;
        for (int slot = 0; slot < 256; slot++)
            if (slot % 16 == 0) large += sampler.ScaledPriority(slot); else small += sampler.ScaledPriority(slot);
        Assert.That(large / 16, Is.GreaterThan(small / 240), "the large-reward transitions keep the larger priorities");
    }

    [Test]
    public void Constructor_StepWithoutTdErrors_IsRefusedNamingIt()
    {
        var ring = new ReplayRing(64, 3, 2);
        var options = new LearnerOptions { PriorityExponent = 0.6 };
        var e = Assert.Throws<ArgumentException>(() => _ = new Learner(ring, new UniformOnlyStep(), new SnapshotPublisher(), options, new RunMetrics(1)));
        Assert.That(e!.Message, Does.Contain("UniformOnlyStep").And.Contain("prioritised replay"));
    }

    /// <summary>An update step that only takes unweighted batches (as the GPU trainer today).</summary>
    private sealed class UniformOnlyStep : IUpdateStep
    {
        public int BatchSize => 4;
        public long Steps => 0;
        public long NonFiniteUpdates => 0;
        public ReadOnlySpan<float> Parameters => [0f];
        public float Update(ReplayBatch batch) => 0f;
    }
}

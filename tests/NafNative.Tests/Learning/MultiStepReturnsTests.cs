using NafNative.Environments;
using NafNative.Learning;
using NafNative.Learning.Exploration;
using NafNative.Naf;
using NafNative.Replay;
using NUnit.Framework;

namespace NafNative.Tests.Learning;

/// <summary>n-step returns against the textbook definition, computed in double from the whole episode: every stored
/// transition's target r + γ(1 − terminated)V′(x′) must equal Σᵢ₌₀ᵏ⁻¹ γⁱ rₜ₊ᵢ + γᵏ V′(xₜ₊ₖ) (no bootstrap after a
/// terminal state), k = min(n, T − t), for any V′.</summary>
public sealed class MultiStepReturnsTests
{
    private const float Gamma = 0.9f;

    // Any smooth V′ of the observation will do: the identity must hold for every one.
    private static double ValueOf(ReadOnlySpan<float> x) => 0.7 * x[0] - 0.2 * x[1] + 1.3;

    public enum Ending { Terminated, Truncated, Discarded }

    private static (float[] Rewards, float[][] States) Episode(int length, int seed)
    {
        var random = new Random(seed);
        var rewards = new float[length];
        var states = new float[length + 1][];
        for (int t = 0; t <= length; t++) states[t] = [t, (float)random.NextDouble()];
        for (int t = 0; t < length; t++) rewards[t] = (float)(random.NextDouble() * 2 - 1);
        return (rewards, states);
    }

    [TestCase(1, 7, Ending.Terminated)]
    [TestCase(3, 7, Ending.Terminated)]
    [TestCase(3, 7, Ending.Truncated)]
    [TestCase(3, 7, Ending.Discarded)]
    [TestCase(5, 3, Ending.Truncated)]
    [TestCase(5, 12, Ending.Terminated)]
    [TestCase(32, 40, Ending.Truncated)]
    [TestCase(3, 7, Ending.Truncated, 0.25f)]
    [TestCase(1, 7, Ending.Terminated, 10f)]
    public void EveryTransition_TargetMatchesTheDefinition(int n, int length, Ending ending, float scale = 1f)
    {
        var (rewards, states) = Episode(length, seed: n * 100 + length);
        var returns = new MultiStepReturns(n, Gamma, observationSize: 2, actionSize: 1, rewardScale: scale);
        var ring = new ReplayRing(64, 2, 1);
        for (int t = 0; t < length; t++)
        {
            bool last = t == length - 1;
            returns.Add(ring, states[t], [0.01f * t], rewards[t], states[t + 1],
                terminated: last && ending == Ending.Terminated, truncated: last && ending == Ending.Truncated);
            Assert.That(returns.Pending, Is.LessThan(n), $"step {t}: at most n − 1 steps held");
        }
        if (ending == Ending.Discarded) returns.EndEpisode(ring, states[length]);
        Assert.That(returns.Pending, Is.Zero);
        Assert.That(ring.Inserted, Is.EqualTo(length), "one transition per step, no more, no fewer");

        var row = new float[ring.Stride];
        for (int t = 0; t < length; t++)
        {
            Assert.That(ring.TryCopyTicket(t, row, TimeSpan.Zero), Is.True);
            int k = Math.Min(n, length - t);
            double reference = 0;
            for (int i = 0; i < k; i++) reference += Math.Pow(Gamma, i) * rewards[t + i];
            reference *= scale; // reward scaling scales the rewards, not the bootstrapped value
            bool terminal = ending == Ending.Terminated && t + k == length;
            if (!terminal) reference += Math.Pow(Gamma, k) * ValueOf(states[t + k]);

            ReadOnlySpan<float> x = row.AsSpan(0, 2), next = row.AsSpan(4, 2);
            float reward = row[3], terminated = row[6], truncated = row[7];
            // The trainers' target, exactly as NafTrainer and the GPU TD kernel compute it.
            double target = reward + Gamma * (1f - terminated) * ValueOf(next);
            string at = $"n {n}, transition {t} of {length} ({ending})";
            Assert.That(x[0], Is.EqualTo(t), $"{at}: stored in step order");
            Assert.That(row[2], Is.EqualTo(0.01f * t), $"{at}: its own action");
            Assert.That(next[0], Is.EqualTo(t + k), $"{at}: bootstraps from x at t + k");
            Assert.That(target, Is.EqualTo(reference).Within(1e-5 * (1 + Math.Abs(reference))), at);
            // The flag travels with the windows that reached the end; after a discarded step the worker learns of the
            // end only at EndEpisode, so the window that filled at the last stored step went in unflagged.
            bool flagged = ending switch
            {
                Ending.Truncated => t + k == length,
                Ending.Discarded => t + k == length && k < n,
                _ => false,
            };
            Assert.That(truncated, Is.EqualTo(flagged ? 1f : 0f), $"{at}: truncation flag");
        }
    }

    [Test]
    public void OneStep_StoresExactlyWhatTheFlagInsertStores()
    {
        var (rewards, states) = Episode(6, seed: 3);
        var viaReturns = new ReplayRing(16, 2, 1);
        var direct = new ReplayRing(16, 2, 1);
        var returns = new MultiStepReturns(1, 0.99f, 2, 1);
        for (int t = 0; t < 6; t++)
        {
            bool terminated = t == 5;
            returns.Add(viaReturns, states[t], [t], rewards[t], states[t + 1], terminated, false);
            direct.Insert(states[t], [t], rewards[t], states[t + 1], terminated, false);
        }
        var a = new float[direct.Stride];
        var b = new float[direct.Stride];
        for (int t = 0; t < 6; t++)
        {
            viaReturns.TryCopyTicket(t, a, TimeSpan.Zero);
            direct.TryCopyTicket(t, b, TimeSpan.Zero);
            Assert.That(a, Is.EqualTo(b), $"transition {t}");
        }
    }

    [Test]
    public void Add_AllocatesNothing()
    {
        var returns = new MultiStepReturns(5, Gamma, 2, 1);
        var ring = new ReplayRing(1024, 2, 1);
        float[] x = [1, 2], next = [2, 3], u = [0.5f];
        for (int t = 0; t < 100; t++) returns.Add(ring, x, u, 1f, next, false, t % 50 == 49);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int t = 0; t < 10_000; t++) returns.Add(ring, x, u, 1f, next, false, t % 50 == 49);
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }

    [Test]
    public void BadArguments_AreRefusedNamingThem()
    {
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new MultiStepReturns(0, Gamma, 2, 1))!.Message, Does.Contain("steps must be in [1, 32]"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new MultiStepReturns(33, Gamma, 2, 1))!.Message, Does.Contain("got 33"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new MultiStepReturns(3, 1.5f, 2, 1))!.Message, Does.Contain("discount must be in [0, 1]"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new MultiStepReturns(3, Gamma, 2, 1, rewardScale: 0f))!.Message, Does.Contain("rewardScale must be positive"));
        var ring = new ReplayRing(8, 2, 1);
        foreach (float weight in new[] { -0.1f, 1.01f, float.NaN })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => ring.Insert([0f, 0f], [0f], 0f, [0f, 0f], weight, false));
            Assert.That(e!.Message, Does.Contain("bootstrapWeight must be in [0, 1]"));
        }
        Assert.That(ring.Inserted, Is.Zero, "a refused weight leaves the ring unchanged");
    }

    /// <summary>Observation [goal, achieved]; reward −|achieved′ − goal|, so the relabelled reward is known exactly.</summary>
    private sealed class LineGoals : IGoalRelabeling
    {
        public (int Offset, int Length) GoalSlice => (0, 1);
        public (int Offset, int Length) AchievedSlice => (1, 1);
        public float Relabel(float reward, ReadOnlySpan<float> next, ReadOnlySpan<float> goal) => -MathF.Abs(next[1] - goal[0]);
    }

    [TestCase(false, 1f)]
    [TestCase(true, 1f)]
    [TestCase(false, 0.5f)]
    public void Hindsight_CopiesCarryTheNStepReturnOfTheRelabelledRewards(bool terminated, float scale)
    {
        const int n = 3, length = 6;
        var relabeler = new HindsightRelabeler(new LineGoals(), perStep: 4, observationSize: 2, actionSize: 1, seed: 9, returnSteps: n,
            discount: Gamma, rewardScale: scale);
        // The point walks 0, 1.5, 3, ... toward a goal at 100 it never reaches.
        for (int t = 0; t < length; t++)
            relabeler.Add([100f, 1.5f * t], [t], -MathF.Abs(1.5f * (t + 1) - 100f), [100f, 1.5f * (t + 1)], terminated && t == length - 1, !terminated && t == length - 1);
        var ring = new ReplayRing(64, 2, 1);
        Assert.That(relabeler.Flush(ring), Is.EqualTo(4 * length));
        var row = new float[ring.Stride];
        for (long ticket = 0; ticket < 4 * length; ticket++)
        {
            ring.TryCopyTicket(ticket, row, TimeSpan.Zero);
            int t = (int)row[2];
            float goal = row[0];
            int k = Math.Min(n, length - t);
            double reference = 0;
            for (int i = 0; i < k; i++) reference += Math.Pow(Gamma, i) * -Math.Abs(1.5 * (t + i + 1) - goal);
            reference *= scale; // scaled after relabelling
            bool terminal = terminated && t + k == length;
            double v = ValueOf(row.AsSpan(4, 2));
            if (!terminal) reference += Math.Pow(Gamma, k) * v;
            double target = row[3] + Gamma * (1f - row[6]) * v;
            string at = $"copy {ticket} (step {t}, goal {goal})";
            Assert.That(row[4], Is.EqualTo(goal), $"{at}: the goal in x′ too");
            Assert.That(row[5], Is.EqualTo(1.5f * (t + k)), $"{at}: x′ is the state k steps on");
            Assert.That(target, Is.EqualTo(reference).Within(1e-4 * (1 + Math.Abs(reference))), at);
        }
    }

    /// <summary>Walks +1 per step for 5 steps (truncated), so every episode's returns are known.</summary>
    private sealed class WalkEnvironment : IEnvironment
    {
        private int _steps;
        public string Name => "walk";
        public int ObservationSize => 2;
        public int ActionSize => 1;
        public double ControlRate => 20;
        public int MaxEpisodeSteps => 5;
        public bool IsSuccess => false;
        public void Reset(int seed, Span<float> observation) { _steps = 0; observation[0] = 0; observation[1] = 0; }
        public StepResult Step(ReadOnlySpan<float> action, Span<float> observation)
        {
            observation[0] = ++_steps;
            observation[1] = 0;
            return new StepResult(_steps, false, _steps >= MaxEpisodeSteps);
        }
        public void Dispose() { }
    }

    [Test]
    public void TrainingRun_WithThreeStepReturns_StoresEveryStepOnceWithItsReturn()
    {
        var trainer = new NafTrainer(new NafOptions { ObservationSize = 2, ActionSize = 1, HiddenSizes = [8], BatchSize = 8, Seed = 1 });
        var setup = new WorkerSetup(new WalkEnvironment(), new NafPolicy(trainer.Network), new GaussianNoise(new NoiseSchedule(0.3f, 1f, 0.3f), seed: 2),
            Seed: 0, ReturnSteps: 3, Discount: Gamma);
        var ring = new ReplayRing(1 << 14, 2, 1);
        RunMetricsSnapshot m;
        using (var run = new TrainingRun(trainer, ring, new LearnerOptions { MinReplayFill = 32, PublishEvery = 10 }, [setup], Pacing.AsFastAsPossible))
        {
            run.Start();
            run.Wait(r => r.Read(0).TotalSteps >= 500, TimeSpan.FromMilliseconds(5), new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
            run.Stop();
            m = run.Metrics.Read();
        }
        Assert.That(ring.Inserted, Is.EqualTo(m.TotalSteps), "every step stored once, the held ones too when the worker stopped");
        var row = new float[ring.Stride];
        for (long ticket = 0; ticket < 5 * m.Episodes; ticket++)
        {
            ring.TryCopyTicket(ticket, row, TimeSpan.Zero);
            int t = (int)row[0], k = Math.Min(3, 5 - t);
            double expected = 0;
            for (int i = 0; i < k; i++) expected += Math.Pow(Gamma, i) * (t + i + 1);
            Assert.That(row[3], Is.EqualTo(expected).Within(1e-5), $"transition {ticket} (step {t})");
            Assert.That(row[4], Is.EqualTo(t + k), $"transition {ticket}: x′ three steps on, or the episode's last");
        }
    }
}

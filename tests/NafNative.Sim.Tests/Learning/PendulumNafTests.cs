using NafNative.Learning;
using NafNative.Learning.Exploration;
using NafNative.Naf;
using NafNative.Replay;
using NafNative.Sim.Tasks;
using NUnit.Framework;

namespace NafNative.Sim.Tests.Learning;

/// <summary>Classic-control sanity run: NAF swings up Gymnasium's Pendulum-v1 (C# port) in a bounded number of steps.</summary>
[TestFixture]
public sealed class PendulumNafTests
{
    /// <summary>A synchronous, seeded loop (one env step, one update), so the result is reproducible bit for bit;
    /// the asynchronous runtime is exercised by its own tests and by naf train. −200 over 10 greedy episodes is the
    /// usual "solved" bar for Pendulum-v1 (random policies score about −1,200).</summary>
    [Test]
    public void Naf_PendulumSwingUp_MeanReturnAboveMinus200()
    {
        const int seed = 3, steps = 40_000, fill = 1_000;
        using var env = new PendulumTask();
        var trainer = new NafTrainer(new NafOptions
        {
            ObservationSize = env.ObservationSize, ActionSize = env.ActionSize, Seed = seed,
            LearningRate = 1e-3f, TargetUpdateRate = 0.005f, MaxGradientNorm = 5f,
        });
        var ring = new ReplayRing(1 << 17, env.ObservationSize, env.ActionSize);
        var batch = new ReplayBatch(trainer.Options.BatchSize, ring);
        var random = new ReplayRandom(seed);
        var noise = new GaussianNoise(new NoiseSchedule(0.5f, 0.98f, 0.05f), seed);
        var policy = new NafPolicy(trainer.Network);
        float[] x = new float[env.ObservationSize], x2 = new float[env.ObservationSize], u = new float[env.ActionSize];

        int episode = 0;
        noise.StartEpisode();
        env.Reset(seed, x);
        ParameterSnapshot snapshot = new(trainer.Online.Values, 1, 0);
        for (int t = 0; t < steps; t++)
        {
            policy.Explore(snapshot, x, noise, u);
            var result = env.Step(u, x2);
            ring.Insert(x, u, result.Reward, x2, result.Terminated, result.Truncated);
            x2.AsSpan().CopyTo(x);
            if (ring.Count >= fill) trainer.Step(SampleOrThrow(ring, batch, ref random));
            if (result.Done)
            {
                snapshot = new ParameterSnapshot(trainer.Online.Values, ++episode + 1, trainer.Steps);
                noise.StartEpisode();
                env.Reset(seed * 100_003 + episode, x);
            }
        }

        var eval = Evaluation.Run(env, trainer.Network, trainer.Online.Values, episodes: 10, seed: seed);
        TestContext.Out.WriteLine($"seed {seed}: mean greedy return {eval.MeanReturn:F1} after {steps} steps, {trainer.Steps} updates");
        Assert.That(eval.MeanReturn, Is.GreaterThan(-200), $"seed {seed}: returns {string.Join(", ", eval.Returns.Select(r => r.ToString("F0")))}");
    }

    private static ReplayBatch SampleOrThrow(ReplayRing ring, ReplayBatch batch, ref ReplayRandom random) =>
        ring.TrySample(batch, ref random) ? batch : throw new InvalidOperationException("replay ring empty after fill");
}

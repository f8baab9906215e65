using NafNative.Learning;
using NafNative.Learning.Exploration;
using NafNative.Naf;
using NafNative.Sim.Tasks;
using NUnit.Framework;

namespace NafNative.Sim.Tests.Learning;

/// <summary>Classic-control sanity run: NAF swings up Gymnasium's Pendulum-v1 (C# port) in a bounded number of steps.</summary>
[TestFixture]
public sealed class PendulumNafTests
{
    /// <summary>A synchronous, seeded loop (<see cref="SynchronousNaf"/>), so the result is reproducible bit for bit.
    /// −200 over 10 greedy episodes is the usual "solved" bar for Pendulum-v1 (random policies score about −1,200).</summary>
    [Test]
    public void Naf_PendulumSwingUp_MeanReturnAboveMinus200()
    {
        const int seed = 3, steps = 40_000, fill = 1_000;
        using var env = new PendulumTask();
        var options = new NafOptions
        {
            ObservationSize = env.ObservationSize, ActionSize = env.ActionSize, Seed = seed,
            LearningRate = 1e-3f, TargetUpdateRate = 0.005f, MaxGradientNorm = 5f,
        };
        var trainer = SynchronousNaf.Train(env, options, new GaussianNoise(new NoiseSchedule(0.5f, 0.98f, 0.05f), seed), steps, seed, fill);
        var eval = Evaluation.Run(env, trainer.Network, trainer.Online.Values, episodes: 10, seed: seed);
        TestContext.Out.WriteLine($"seed {seed}: mean greedy return {eval.MeanReturn:F1} after {steps} steps, {trainer.Steps} updates");
        Assert.That(eval.MeanReturn, Is.GreaterThan(-200), $"seed {seed}: returns {string.Join(", ", eval.Returns.Select(r => r.ToString("F0")))}");
    }
}

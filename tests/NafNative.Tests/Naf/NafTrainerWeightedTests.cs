using NafNative.Naf;
using NUnit.Framework;

namespace NafNative.Tests.Naf;

/// <summary>The importance-weighted update prioritised replay drives: unit weights are the plain update bit for bit,
/// the loss is the weighted mean of the reported TD errors squared, a row of weight 0 contributes no gradient.</summary>
public sealed class NafTrainerWeightedTests
{
    private static NafOptions Small(int seed) => new()
    {
        ObservationSize = 4, ActionSize = 2, HiddenSizes = [16, 16], BatchSize = 8, Seed = seed,
    };

    [Test]
    public void UnitWeights_GiveThePlainUpdateBitForBit()
    {
        int seed = TestData.SeedFor(970);
        var options = Small(seed);
        TransitionBatch[] batches = TransitionBatch.Sequence(options, seed, 5);
        var plain = new NafTrainer(options);
        var weighted = new NafTrainer(options);
        float[] ones = [.. Enumerable.Repeat(1f, options.BatchSize)];
        foreach (var b in batches)
        {
            float a = b.StepOn(plain);
            weighted.ComputeGradients(b.Observations, b.Actions, b.Rewards, b.NextObservations, b.Terminated, ones);
            weighted.ApplyGradients();
            Assert.That(weighted.LastTdErrors.ToArray(), Is.EqualTo(plain.LastTdErrors.ToArray()));
            Assert.That(a, Is.GreaterThan(0));
        }
        BitExact.AssertEqual(weighted.Online.Values, plain.Online.Values, $"seed {seed}: θ after 5 updates");
    }

    [Test]
    public void Loss_IsTheWeightedMeanOfTheSquaredTdErrors()
    {
        int seed = TestData.SeedFor(971);
        var options = Small(seed);
        var trainer = new NafTrainer(options);
        var b = TransitionBatch.Random(options, new Random(seed));
        var rng = new Random(seed + 1);
        float[] weights = [.. Enumerable.Range(0, options.BatchSize).Select(_ => 0.1f + 0.9f * rng.NextSingle())];

        float unweighted = trainer.ComputeGradients(b.Observations, b.Actions, b.Rewards, b.NextObservations, b.Terminated);
        float[] td = trainer.LastTdErrors.ToArray();
        float loss = trainer.ComputeGradients(b.Observations, b.Actions, b.Rewards, b.NextObservations, b.Terminated, weights);

        double expected = 0, plain = 0;
        for (int i = 0; i < td.Length; i++) { expected += weights[i] * td[i] * (double)td[i]; plain += td[i] * (double)td[i]; }
        Assert.Multiple(() =>
        {
            Assert.That(trainer.LastTdErrors.ToArray(), Is.EqualTo(td), "no update in between: the same TD errors");
            Assert.That(unweighted, Is.EqualTo(plain / td.Length).Within(1e-5 * plain));
            Assert.That(loss, Is.EqualTo(expected / td.Length).Within(1e-5 * expected));
        });
    }

    [Test]
    public void ZeroWeightRows_ContributeNoGradient()
    {
        // Weighting rows 4..7 by 0 must give the gradient of rows 0..3 alone, i.e. half the gradient of the batch whose
        // rows 4..7 are copies of rows 0..3 with weight 1 (the mean is over 8 rows either way).
        int seed = TestData.SeedFor(972);
        var options = Small(seed);
        var b = TransitionBatch.Random(options, new Random(seed));
        var copy = TransitionBatch.Random(options, new Random(seed));
        int o = options.ObservationSize, a = options.ActionSize;
        Array.Copy(copy.Observations, 0, copy.Observations, 4 * o, 4 * o);
        Array.Copy(copy.NextObservations, 0, copy.NextObservations, 4 * o, 4 * o);
        Array.Copy(copy.Actions, 0, copy.Actions, 4 * a, 4 * a);
        Array.Copy(copy.Rewards, 0, copy.Rewards, 4, 4);
        Array.Copy(copy.Terminated, 0, copy.Terminated, 4, 4);

        var t1 = new NafTrainer(options);
        t1.ComputeGradients(b.Observations, b.Actions, b.Rewards, b.NextObservations, b.Terminated, [1, 1, 1, 1, 0, 0, 0, 0]);
        float[] half = t1.Online.Gradients.ToArray();
        var t2 = new NafTrainer(options);
        t2.ComputeGradients(copy.Observations, copy.Actions, copy.Rewards, copy.NextObservations, copy.Terminated);
        float[] doubled = t2.Online.Gradients.ToArray();
        for (int i = 0; i < half.Length; i++)
            Assert.That(2 * half[i], Is.EqualTo(doubled[i]).Within(1e-5f + 1e-4f * Math.Abs(doubled[i])), $"∂L/∂θ[{i}]");
    }

    [Test]
    public void WrongWeightCount_IsRefused()
    {
        var options = Small(1);
        var trainer = new NafTrainer(options);
        var b = TransitionBatch.Random(options, new Random(1));
        var e = Assert.Throws<ArgumentException>(() =>
            trainer.ComputeGradients(b.Observations, b.Actions, b.Rewards, b.NextObservations, b.Terminated, new float[3]));
        Assert.That(e!.Message, Does.Contain("3 values").And.Contain("8 rows"));
    }
}

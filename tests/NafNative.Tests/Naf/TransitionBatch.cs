using NafNative.Naf;

namespace NafNative.Tests.Naf;

/// <summary>One batch of transitions shaped for a <see cref="NafTrainer"/> (row-major, batch-first), with random
/// contents drawn from a seeded generator so a test can rebuild the same sequence.</summary>
internal sealed class TransitionBatch
{
    public required float[] Observations { get; init; }
    public required float[] Actions { get; init; }
    public required float[] Rewards { get; init; }
    public required float[] NextObservations { get; init; }
    public required float[] Terminated { get; init; }

    /// <summary>Observations in [−1, 1), actions in [−1, 1) (μ's range), rewards in [−1, 1), and each transition
    /// terminal with probability <paramref name="terminatedProbability"/>.</summary>
    public static TransitionBatch Random(NafOptions options, Random rng, float terminatedProbability = 0.25f)
    {
        int b = options.BatchSize;
        var terminated = new float[b];
        for (int i = 0; i < b; i++) terminated[i] = rng.NextSingle() < terminatedProbability ? 1f : 0f;
        return new TransitionBatch
        {
            Observations = TestData.Uniform(rng, b * options.ObservationSize),
            Actions = TestData.Uniform(rng, b * options.ActionSize),
            Rewards = TestData.Uniform(rng, b),
            NextObservations = TestData.Uniform(rng, b * options.ObservationSize),
            Terminated = terminated,
        };
    }

    /// <summary>The batches of a deterministic run: batch k comes from its own seed, so any suffix can be rebuilt.</summary>
    public static TransitionBatch[] Sequence(NafOptions options, int seed, int count)
    {
        var batches = new TransitionBatch[count];
        for (int k = 0; k < count; k++) batches[k] = Random(options, new Random(unchecked(seed + 7919 * k)));
        return batches;
    }

    public float StepOn(NafTrainer trainer) => trainer.Step(Observations, Actions, Rewards, NextObservations, Terminated);

    public float ComputeGradientsOn(NafTrainer trainer) =>
        trainer.ComputeGradients(Observations, Actions, Rewards, NextObservations, Terminated);
}

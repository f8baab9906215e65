using NafNative.Environments;
using NafNative.Naf;

namespace NafNative.Learning;

/// <summary>The original work's measure: run the greedy policy (no noise) for N episodes and count successes.</summary>
public static class Evaluation
{
    /// <summary>Seeds of evaluation episodes start here, far from the training seeds (which are small), so the
    /// evaluation uses targets the workers did not train on.</summary>
    public const int SeedBase = 1_000_000_007;

    /// <summary>The seed evaluation episode <paramref name="episode"/> of a run offset by <paramref name="seed"/> resets
    /// with (naf record replays the same episodes naf eval counts).</summary>
    public static int EpisodeSeed(int seed, int episode) => unchecked(SeedBase + seed * 7919 + episode);

    /// <summary>Runs <paramref name="episodes"/> greedy episodes on <paramref name="environment"/>.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> was cancelled (checked every step,
    /// so a stopping run does not wait for the evaluation's remaining episodes).</exception>
    public static EvaluationResult Run(IEnvironment environment, NafNetwork network, ReadOnlySpan<float> parameters, int episodes, int seed = 0,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(network);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(episodes);
        var policy = new NafPolicy(network);
        float[] observation = new float[environment.ObservationSize], action = new float[environment.ActionSize];
        var returns = new double[episodes];
        int successes = 0;
        for (int e = 0; e < episodes; e++)
        {
            environment.Reset(EpisodeSeed(seed, e), observation);
            double total = 0;
            StepResult result;
            do
            {
                cancellation.ThrowIfCancellationRequested();
                policy.Greedy(parameters, observation, action);
                result = environment.Step(action, observation);
                total += result.Reward;
            }
            while (!result.Done);
            returns[e] = total;
            if (environment.IsSuccess) successes++;
        }
        return new EvaluationResult(episodes, successes, returns);
    }
}

/// <summary>Outcome of <see cref="Evaluation.Run"/>.</summary>
public sealed record EvaluationResult(int Episodes, int Successes, double[] Returns)
{
    public double SuccessRate => Successes / (double)Episodes;
    public double MeanReturn => Returns.Average();
}

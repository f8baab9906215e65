using NafNative.Learning.Exploration;
using NafNative.Naf;
using NafNative.Naf.Gpu;

namespace NafNative.Learning;

/// <summary>What a <see cref="TrainingSession"/> needs: the task and its workers, the budget, the cadence of metrics,
/// checkpoints and evaluations, and how to build the network, the learner and each worker's noise.</summary>
/// <remarks>Times are wall-clock seconds (the budget in minutes); steps count environment steps of all workers
/// together. A budget of neither minutes nor steps runs until the session's token is cancelled.</remarks>
public sealed record TrainingOptions
{
    /// <summary>The task name passed to the session's environment factory.</summary>
    public required string Task { get; init; }
    /// <summary>Worker threads, one environment each (factory indices 0..Workers−1; −1 is the evaluation environment).</summary>
    public int Workers { get; init; } = 2;
    /// <summary>Hindsight copies stored per real transition at each episode's end (0: none; see
    /// <see cref="HindsightRelabeler"/>); the task must offer <see cref="Environments.IEnvironment.GoalRelabeling"/>.</summary>
    public int GoalRelabels { get; init; }
    /// <summary>n of the n-step returns the workers store (1: one-step transitions; see <see cref="MultiStepReturns"/>).</summary>
    public int ReturnSteps { get; init; } = 1;
    /// <summary>Every stored reward is multiplied by this (reward scaling; the metrics' returns stay the task's).</summary>
    public float RewardScale { get; init; } = 1f;
    /// <summary>Seeds the workers' episodes and noise (each worker and a resumed run get their own).</summary>
    public int Seed { get; init; } = 1;
    /// <summary>Wall-clock budget in minutes of this process (null: no limit).</summary>
    public double? Minutes { get; init; }
    /// <summary>Environment steps (all workers, counted over every resumed run when the checkpoint carried the count)
    /// after which training stops (null: no limit), so an interrupted and resumed run stops where an uninterrupted one
    /// would.</summary>
    public long? Steps { get; init; }
    public Pacing Pacing { get; init; } = Pacing.AsFastAsPossible;
    /// <summary>With real-time pacing, the task clock's speed-up over the wall clock.</summary>
    public double TimeScale { get; init; } = 1.0;
    /// <summary>Replay ring capacity in transitions (a power of two).</summary>
    public int ReplayCapacity { get; init; } = 1 << 20;
    public double MetricsEverySeconds { get; init; } = 2;
    public double CheckpointEverySeconds { get; init; } = 60;
    /// <summary>Every this many seconds the learner pauses for a greedy evaluation and keeps the best in best.naf
    /// (used only when <see cref="EvalEverySteps"/> is null).</summary>
    public double EvalEverySeconds { get; init; } = 10;
    /// <summary>Every this many environment steps (all workers) the learner pauses for a greedy evaluation: the
    /// cadence that makes model selection (best.naf) the same on a slow machine as on a fast one. Null: by
    /// <see cref="EvalEverySeconds"/>.</summary>
    public long? EvalEverySteps { get; init; }
    /// <summary>Checkpoints carry the replay's contents (a file beside checkpoint.naf) while its filled part is at
    /// most this many bytes, so <c>--resume</c> continues with the same replay; above it (or 0) only the progress
    /// counters are saved and a resumed run refills the replay.</summary>
    public long CheckpointReplayMaxBytes { get; init; } = 2L << 30;
    /// <summary>Greedy episodes per evaluation.</summary>
    public int EvalEpisodes { get; init; } = 20;
    public LearnerOptions Learner { get; init; } = new();
    /// <summary>The network and optimiser settings for a task of (observation size, action size).</summary>
    public required Func<int, int, NafOptions> Network { get; init; }
    /// <summary>A worker's exploration noise for (action size, seed).</summary>
    public required Func<int, int, IExplorationNoise> Noise { get; init; }
    /// <summary>Where the learner's updates run: null for the SIMD CPU trainer, else the ILGPU device.</summary>
    public GpuDevice? Device { get; init; }
    /// <summary>The run's settings as text (the CLI's config.json), written to the run's TensorBoard event file under
    /// <see cref="RunScalars.SettingsTag"/>; null writes none.</summary>
    public string? Settings { get; init; }
    /// <summary>Write a TensorBoard event file (events.out.tfevents.*) beside metrics.csv and evals.csv.</summary>
    public bool TensorBoard { get; init; } = true;
}

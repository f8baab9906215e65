namespace NafNative.Learning;

/// <summary>How the learner thread paces itself. Invalid values throw as they are set, naming the field.</summary>
public sealed record LearnerOptions
{
    /// <summary>Transitions the replay ring must hold before the first update.</summary>
    public int MinReplayFill { get => field; init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MinReplayFill), value, "LearnerOptions.MinReplayFill must be at least 1."); } = 1000;

    /// <summary>Publish a parameter snapshot every this many updates (the workers take the newest at episode start).</summary>
    public int PublishEvery { get => field; init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(PublishEvery), value, "LearnerOptions.PublishEvery must be at least 1."); } = 50;

    /// <summary>If set, hold updates per inserted transition near this ratio from both sides (see
    /// <see cref="RateLimiter"/>), so experiments can fix it; null (the default) is the original work's "learner as fast
    /// as it can, robots unthrottled".</summary>
    public double? UpdatesPerInsert
    {
        get => field;
        init => field = value is null || (double.IsFinite(value.Value) && value.Value > 0) ? value
            : throw new ArgumentOutOfRangeException(nameof(UpdatesPerInsert), value, "LearnerOptions.UpdatesPerInsert must be positive and finite, or null.");
    }

    /// <summary>Prioritised replay's α (P(i) ∝ (|δᵢ| + ε)^α, see <see cref="Replay.PrioritizedSampler"/>), in (0, 1];
    /// null (the default) samples uniformly. Needs an update step that reports TD errors (the CPU trainer).</summary>
    public double? PriorityExponent
    {
        get => field;
        init => field = value is null || (value.Value > 0 && value.Value <= 1) ? value
            : throw new ArgumentOutOfRangeException(nameof(PriorityExponent), value, "LearnerOptions.PriorityExponent must be in (0, 1], or null for uniform sampling.");
    }

    /// <summary>Prioritised replay's β: importance weights (N·P(i))^−β, in [0, 1] (Ape-X's 0.4 by default).</summary>
    public double ImportanceExponent
    {
        get => field;
        init => field = value is >= 0 and <= 1 ? value
            : throw new ArgumentOutOfRangeException(nameof(ImportanceExponent), value, "LearnerOptions.ImportanceExponent must be in [0, 1].");
    } = 0.4;

    /// <summary>Seed of the learner's replay sampler.</summary>
    public int Seed { get; init; }
}

namespace NafNative.Naf;

/// <summary>Hyper-parameters of a NAF learner. Each value is checked as it is set: an invalid one throws an
/// <see cref="ArgumentException"/> naming the field, so a bad config never reaches a training step.</summary>
/// <remarks>Sources: Gu, Lillicrap, Sutskever, Levine (2016a), "Continuous Deep Q-Learning with Model-based
/// Acceleration" (NAF); Gu, Holly, Lillicrap, Levine (2016b), "Deep Reinforcement Learning for Robotic Manipulation
/// with Asynchronous Off-Policy Updates"; Kingma &amp; Ba (2015), Adam. Where a paper does not state a value, the
/// remark says which convention was taken instead.</remarks>
public sealed record NafOptions
{
    /// <summary>Observation size (joint angles, velocities, end-effector position/velocity, target: task-defined).</summary>
    public required int ObservationSize { get => field; init => field = Positive(value, nameof(ObservationSize)); }

    /// <summary>Action size n (joint velocity commands in [−1, 1]); the L head has n(n+1)/2 entries.</summary>
    public required int ActionSize
    {
        get => field;
        init => field = value is >= 1 and <= Kernels.Cpu.NafAdvantage.MaxActions ? value
            : throw new ArgumentOutOfRangeException(nameof(ActionSize), value, $"NafOptions.ActionSize must be in [1, {Kernels.Cpu.NafAdvantage.MaxActions}], got {value}.");
    }

    /// <summary>Hidden layer widths of the shared body: two layers of 100 ReLU units (2016b, simulated tasks).</summary>
    public IReadOnlyList<int> HiddenSizes
    {
        get => field;
        init
        {
            ArgumentNullException.ThrowIfNull(value, nameof(HiddenSizes));
            if (value.Count == 0) throw new ArgumentException("NafOptions.HiddenSizes needs at least one hidden layer.", nameof(HiddenSizes));
            for (int i = 0; i < value.Count; i++) Positive(value[i], $"{nameof(HiddenSizes)}[{i}]");
            field = [.. value];
        }
    } = [100, 100];

    /// <summary>Discount γ ∈ [0, 1]: 0.99, as in NAF (2016a) and DDPG.</summary>
    public float Discount { get => field; init => field = InRange(value, 0f, 1f, nameof(Discount), lowOpen: false); } = 0.99f;

    /// <summary>Polyak rate τ ∈ (0, 1] of the target network: 0.001 (2016a, following DDPG).</summary>
    public float TargetUpdateRate { get => field; init => field = InRange(value, 0f, 1f, nameof(TargetUpdateRate), lowOpen: true); } = 0.001f;

    /// <summary>Adam learning rate: 1e-3 (DDPG's critic rate; 2016a tuned it per task and does not fix one).</summary>
    public float LearningRate { get => field; init => field = PositiveFinite(value, nameof(LearningRate)); } = 1e-3f;

    /// <summary>Adam β₁ (Kingma &amp; Ba's default).</summary>
    public float AdamBeta1 { get => field; init => field = InRange(value, 0f, 1f, nameof(AdamBeta1), lowOpen: false, highOpen: true); } = 0.9f;

    /// <summary>Adam β₂ (Kingma &amp; Ba's default).</summary>
    public float AdamBeta2 { get => field; init => field = InRange(value, 0f, 1f, nameof(AdamBeta2), lowOpen: false, highOpen: true); } = 0.999f;

    /// <summary>Adam ε (Kingma &amp; Ba's default).</summary>
    public float AdamEpsilon { get => field; init => field = PositiveFinite(value, nameof(AdamEpsilon)); } = 1e-8f;

    /// <summary>Transitions per update: 64 (the batch the peers were measured at; 2016b does not state one).</summary>
    public int BatchSize { get => field; init => field = Positive(value, nameof(BatchSize)); } = 64;

    /// <summary>Clip the gradient's L2 norm to this value before Adam; null (the default, as in 2016a/b) disables it.</summary>
    public float? MaxGradientNorm
    {
        get => field;
        init => field = value is null ? null : PositiveFinite(value.Value, nameof(MaxGradientNorm));
    }

    /// <summary>Seed for parameter initialisation.</summary>
    public int Seed { get; init; }

    /// <summary>An update whose loss or gradient is NaN or ±∞ is skipped (θ, θ′ and Adam's moments stay as they
    /// were) and counted; this many skipped in a row stop training with an error (100: past a transient, the state
    /// or the data is broken and further updates only burn time).</summary>
    public int MaxConsecutiveNonFiniteUpdates { get => field; init => field = Positive(value, nameof(MaxConsecutiveNonFiniteUpdates)); } = 100;

    private static int Positive(int value, string name) =>
        value > 0 ? value : throw new ArgumentOutOfRangeException(name, value, $"NafOptions.{name} must be positive, got {value}.");

    private static float PositiveFinite(float value, string name) =>
        float.IsFinite(value) && value > 0f ? value
        : throw new ArgumentOutOfRangeException(name, value, $"NafOptions.{name} must be a positive finite number, got {value}.");

    private static float InRange(float value, float low, float high, string name, bool lowOpen, bool highOpen = false)
    {
        bool ok = float.IsFinite(value) && (lowOpen ? value > low : value >= low) && (highOpen ? value < high : value <= high);
        return ok ? value : throw new ArgumentOutOfRangeException(name, value,
            $"NafOptions.{name} must be in {(lowOpen ? "(" : "[")}{low}, {high}{(highOpen ? ")" : "]")}, got {value}.");
    }
}

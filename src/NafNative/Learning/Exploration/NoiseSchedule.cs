namespace NafNative.Learning.Exploration;

/// <summary>σ decays per episode from <see cref="Initial"/> toward <see cref="Minimum"/>: σₑ = max(min, σ₀·decayᵉ).</summary>
public readonly record struct NoiseSchedule
{
    public NoiseSchedule(float initial, float decay = 1f, float minimum = 0f)
    {
        if (!(float.IsFinite(initial) && initial >= 0))
            throw new ArgumentOutOfRangeException(nameof(initial), initial, "NoiseSchedule: the initial scale must be finite and non-negative.");
        if (!(decay > 0 && decay <= 1))
            throw new ArgumentOutOfRangeException(nameof(decay), decay, "NoiseSchedule: decay must be in (0, 1].");
        if (!(float.IsFinite(minimum) && minimum >= 0 && minimum <= initial))
            throw new ArgumentOutOfRangeException(nameof(minimum), minimum, $"NoiseSchedule: the minimum must be in [0, initial = {initial}].");
        Initial = initial;
        Decay = decay;
        Minimum = minimum;
    }

    public float Initial { get; }
    public float Decay { get; }
    public float Minimum { get; }

    /// <summary>σ for the episode with index <paramref name="episode"/> (0 for the first).</summary>
    public float At(long episode) => MathF.Max(Minimum, Initial * MathF.Pow(Decay, episode));
}

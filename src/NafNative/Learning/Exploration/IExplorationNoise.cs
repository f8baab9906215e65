namespace NafNative.Learning.Exploration;

/// <summary>Action noise for exploration, one instance per worker (not thread-safe), allocation-free.</summary>
public interface IExplorationNoise
{
    /// <summary>Starts a new episode: resets temporal state and applies the per-episode decay of the scale.</summary>
    void StartEpisode();

    /// <summary>Adds one step of noise to <paramref name="action"/>.</summary>
    void AddTo(Span<float> action);

    /// <summary>Current noise scale σ (after decay).</summary>
    float Scale { get; }
}

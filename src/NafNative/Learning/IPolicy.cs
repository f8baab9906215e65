using NafNative.Learning.Exploration;

namespace NafNative.Learning;

/// <summary>Turns an observation into an exploratory action in [−1, 1] using a parameter snapshot. One instance per
/// worker thread; allocation-free per call.</summary>
public interface IPolicy
{
    void Explore(ParameterSnapshot snapshot, ReadOnlySpan<float> observation, IExplorationNoise noise, Span<float> action);
}

using NafNative.Kernels.Cpu;
using NafNative.Learning;
using NafNative.Learning.Exploration;

namespace NafNative.Naf;

/// <summary>A worker's view of the NAF network: the greedy action μ(x), and μ(x) + noise clamped to [−1, 1], for one
/// observation at a time, from a parameter snapshot.</summary>
/// <remarks>One instance per worker thread (it owns scratch buffers); allocation-free per call.</remarks>
public sealed class NafPolicy : IPolicy
{
    private readonly NafNetwork _network;
    private readonly float[] _head, _scratch;

    public NafPolicy(NafNetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        _network = network;
        _head = new float[network.HeadWidth];
        _scratch = new float[network.Body.InferScratchLength(1)];
    }

    /// <summary>action = μ(x) = tanh(μ head) from the snapshot's parameters.</summary>
    public void Greedy(ParameterSnapshot snapshot, ReadOnlySpan<float> observation, Span<float> action)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        Greedy(snapshot.Values, observation, action);
    }

    /// <summary>action = μ(x) from any flat parameter vector with the network's layout.</summary>
    public void Greedy(ReadOnlySpan<float> parameters, ReadOnlySpan<float> observation, Span<float> action)
    {
        if (parameters.Length != _network.ParameterCount || observation.Length != _network.ObservationSize || action.Length != _network.ActionSize)
            throw new ArgumentException(
                $"NafPolicy.Greedy: expected parameters [{_network.ParameterCount}], observation [{_network.ObservationSize}], action [{_network.ActionSize}]; " +
                $"got [{parameters.Length}], [{observation.Length}], [{action.Length}].");
        _network.InferHead(parameters, observation, 1, _head, _scratch);
        NafAdvantage.GreedyAction(_head, _network.ActionSize, action);
    }

    /// <summary>action = clamp(μ(x) + noise, −1, 1).</summary>
    public void Explore(ParameterSnapshot snapshot, ReadOnlySpan<float> observation, IExplorationNoise noise, Span<float> action)
    {
        ArgumentNullException.ThrowIfNull(noise);
        Greedy(snapshot, observation, action);
        noise.AddTo(action);
        for (int i = 0; i < action.Length; i++) action[i] = Math.Clamp(action[i], -1f, 1f);
    }
}

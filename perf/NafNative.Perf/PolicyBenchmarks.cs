using BenchmarkDotNet.Attributes;
using NafNative.Learning;
using NafNative.Learning.Exploration;
using NafNative.Naf;

namespace NafNative.Perf;

/// <summary>A worker's per-step cost: μ(x) + noise for one observation (obs 20, act 7, 2×100) from a snapshot.
/// The bound is ≤ 5 µs and 0 B allocated.</summary>
[MemoryDiagnoser]
public class PolicyBenchmarks
{
    private NafPolicy _policy = null!;
    private ParameterSnapshot _snapshot = null!;
    private GaussianNoise _gaussian = null!;
    private OrnsteinUhlenbeckNoise _ou = null!;
    private readonly float[] _observation = new float[20], _action = new float[7];

    [GlobalSetup]
    public void Setup()
    {
        var trainer = new NafTrainer(new NafOptions { ObservationSize = 20, ActionSize = 7 });
        _policy = new NafPolicy(trainer.Network);
        _snapshot = new ParameterSnapshot(trainer.Online.Values, 1, 0);
        _gaussian = new GaussianNoise(new NoiseSchedule(0.3f), 1);
        _ou = new OrnsteinUhlenbeckNoise(7, new NoiseSchedule(0.3f), 1);
        for (int i = 0; i < _observation.Length; i++) _observation[i] = 0.05f * i;
    }

    [Benchmark(Description = "μ(x) greedy")]
    public void Greedy() => _policy.Greedy(_snapshot, _observation, _action);

    [Benchmark(Description = "μ(x)+Gaussian")]
    public void ExploreGaussian() => _policy.Explore(_snapshot, _observation, _gaussian, _action);

    [Benchmark(Description = "μ(x)+OU")]
    public void ExploreOu() => _policy.Explore(_snapshot, _observation, _ou, _action);
}

using BenchmarkDotNet.Attributes;
using NafNative.Naf;
using NafNative.Replay;

namespace NafNative.Perf;

/// <summary>The learner's critical path at batch 64 (obs 20, act 7, 2×100): sampling a batch from a full replay ring
/// of each capacity, the NAF update alone, and both — so the replay path's share of an update can be read off.</summary>
[MemoryDiagnoser]
public class LearnerPathBenchmarks
{
    private NafTrainer _trainer = null!;
    private ReplayRing _ring = null!;
    private ReplayBatch _batch = null!;
    private ReplayRandom _random;

    [Params(4096, 262144, 1048576)]
    public int Capacity { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _trainer = new NafTrainer(new NafOptions { ObservationSize = 20, ActionSize = 7 });
        _ring = new ReplayRing(Capacity, 20, 7);
        var random = new Random(5);
        float[] x = new float[20], u = new float[7], x2 = new float[20];
        for (int t = 0; t < Capacity; t++)
        {
            for (int i = 0; i < 20; i++) { x[i] = (float)random.NextDouble(); x2[i] = (float)random.NextDouble(); }
            for (int i = 0; i < 7; i++) u[i] = (float)(random.NextDouble() * 2 - 1);
            _ring.Insert(x, u, (float)random.NextDouble(), x2, t % 100 == 99, false);
        }
        _batch = new ReplayBatch(64, _ring);
        _random = new ReplayRandom(9);
        _ring.Sample(_batch, ref _random);
        _trainer.Step(_batch);
    }

    [Benchmark(Description = "sample 64")]
    public void Sample() => _ring.Sample(_batch, ref _random);

    [Benchmark(Description = "update")]
    public float Update() => _trainer.Step(_batch);

    [Benchmark(Description = "sample + update")]
    public float SampleAndUpdate()
    {
        _ring.Sample(_batch, ref _random);
        return _trainer.Step(_batch);
    }
}

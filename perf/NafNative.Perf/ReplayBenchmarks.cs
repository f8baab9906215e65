using BenchmarkDotNet.Attributes;
using NafNative.Replay;

namespace NafNative.Perf;

/// <summary>Replay ring, one thread: inserting a transition (obs 20, act 7) and sampling a batch of 64 from a full
/// ring; the allocation column must read 0 B. The concurrent figures (producers and a sampler together) come from
/// <c>naf bench replay</c>.</summary>
/// <remarks>Capacity 4096 keeps the ring in cache (~800 KB); 1,048,576 (~200 MB) makes every insert a streaming write
/// to DRAM and every sampled row a random DRAM read, the learner's real case.</remarks>
[MemoryDiagnoser]
public class ReplayBenchmarks
{
    private const int ObservationSize = 20, ActionSize = 7, BatchSize = 64, InsertsPerInvoke = 1024;

    private ReplayRing _ring = null!;
    private ReplayBatch _batch = null!;
    private ReplayRandom _random;
    private float[] _observation = null!, _action = null!, _nextObservation = null!;

    [Params(4096, 1 << 20)]
    public int Capacity { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _ring = new ReplayRing(Capacity, ObservationSize, ActionSize);
        _batch = new ReplayBatch(BatchSize, _ring);
        _random = new ReplayRandom(1);
        var random = new Random(1);
        _observation = Fill(new float[ObservationSize], random);
        _action = Fill(new float[ActionSize], random);
        _nextObservation = Fill(new float[ObservationSize], random);
        for (int i = 0; i < Capacity; i++) _ring.Insert(_observation, _action, 0.5f, _nextObservation, false, false);
    }

    /// <summary>One producer, no contention: time per transition.</summary>
    [Benchmark(Description = "Insert (obs 20, act 7)", OperationsPerInvoke = InsertsPerInvoke)]
    public long Insert()
    {
        long ticket = 0;
        for (int i = 0; i < InsertsPerInvoke; i++)
            ticket = _ring.Insert(_observation, _action, 0.25f, _nextObservation, terminated: false, truncated: (i & 63) == 0).Ticket;
        return ticket;
    }

    /// <summary>One sampler on a full ring, no writer: time per batch of 64.</summary>
    [Benchmark(Description = "Sample batch of 64")]
    public float SampleBatch()
    {
        _ring.TrySample(_batch, ref _random);
        return _batch.Rewards[0];
    }

    private static float[] Fill(float[] values, Random random)
    {
        for (int i = 0; i < values.Length; i++) values[i] = random.NextSingle() * 2 - 1;
        return values;
    }
}

using BenchmarkDotNet.Attributes;
using NafNative.Kernels.Cpu;
using NafNative.Naf;

namespace NafNative.Perf;

/// <summary>The NAF update (obs 20, act 7, 2×100) and its fused advantage kernel alone, at batch 64 and 1024;
/// the allocation column must read 0 B.</summary>
[MemoryDiagnoser]
public class NafBenchmarks : IFlopCounted
{
    private const int Obs = 20, Act = 7;
    private NafTrainer _trainer = null!;
    private float[] _x = [], _u = [], _r = [], _x2 = [], _done = [];
    private float[] _head = [], _q = [], _saved = [], _dq = [], _dHead = [];

    [Params(64, 1024)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _trainer = new NafTrainer(new NafOptions { ObservationSize = Obs, ActionSize = Act, BatchSize = Batch });
        var random = new Random(3);
        _x = Fill(Batch * Obs, random); _x2 = Fill(Batch * Obs, random);
        _u = Fill(Batch * Act, random); _r = Fill(Batch, random); _done = new float[Batch];
        _head = Fill(Batch * NafAdvantage.HeadWidth(Act), random);
        _q = new float[Batch]; _dq = Fill(Batch, random);
        _saved = new float[Batch * NafAdvantage.SavedWidth(Act)];
        _dHead = new float[_head.Length];
        _trainer.Step(_x, _u, _r, _x2, _done);
    }

    [Benchmark(Description = "NAF update")]
    public float Update() => _trainer.Step(_x, _u, _r, _x2, _done);

    [Benchmark(Description = "advantage fwd+bwd")]
    public void Advantage()
    {
        NafAdvantage.Forward(_head, _u, Batch, Act, _q, _saved);
        NafAdvantage.Backward(_head, _u, _saved, _dq, Batch, Act, _dHead);
    }

    public double FlopsPerOperation(IReadOnlyDictionary<string, object> parameters, string method) =>
        method == nameof(Update) ? _trainer?.Network.UpdateFlops((int)parameters[nameof(Batch)])
            ?? new NafNetwork(Obs, Act, [100, 100]).UpdateFlops((int)parameters[nameof(Batch)]) : double.NaN;

    private static float[] Fill(int length, Random random)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }
}

using BenchmarkDotNet.Attributes;
using NafNative.Autodiff;
using NafNative.Tensors;

namespace NafNative.Perf;

/// <summary>Forward + backward of NAF's network body and heads as one MLP (20→100→100→36) on the autodiff tape:
/// the allocation column must read 0 B (steady state allocates nothing).</summary>
[MemoryDiagnoser]
public class MlpBenchmarks : IFlopCounted
{
    private readonly Tape _tape = new();
    private ParameterVector _parameters = null!;
    private Mlp _mlp = null!;
    private Tensor _x = null!, _target = null!;

    [Params(64, 256)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var layout = new ParameterLayout();
        _mlp = new Mlp(layout, "net", 20, 100, 100, 36);
        _parameters = new ParameterVector(layout);
        var random = new Random(1);
        _mlp.Initialize(_parameters, random);
        _x = new Tensor(Batch, 20);
        _target = new Tensor(Batch, 36);
        for (int i = 0; i < _x.Length; i++) _x.Span[i] = (float)random.NextDouble();
        for (int i = 0; i < _target.Length; i++) _target.Span[i] = (float)random.NextDouble();
        ForwardBackward();
    }

    [Benchmark(Description = "MLP fwd+bwd")]
    public float ForwardBackward()
    {
        _tape.Reset();
        _parameters.ZeroGradients();
        Var y = _mlp.Forward(_tape, _parameters, _tape.Input(_x));
        Var loss = _tape.MeanSquaredError(y, _tape.Input(_target));
        _tape.Backward(loss);
        return _tape.Value(loss)[0];
    }

    /// <summary>GEMM FLOPs actually performed: forward and weight gradient of every layer, input gradient of every
    /// layer but the first (the observations need no gradient). Bias, ReLU and loss work is not counted.</summary>
    public double FlopsPerOperation(IReadOnlyDictionary<string, object> parameters, string method)
    {
        int batch = (int)parameters[nameof(Batch)];
        long macs = 20L * 100 + 100L * 100 + 100L * 36;
        long firstLayerInputGradMacs = 20L * 100;
        return 2.0 * batch * (3 * macs - firstLayerInputGradMacs);
    }
}

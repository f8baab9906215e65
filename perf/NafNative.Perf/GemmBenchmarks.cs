using BenchmarkDotNet.Attributes;
using NafNative.Kernels.Cpu;

namespace NafNative.Perf;

/// <summary>GEMM at NAF's layer shapes: forward (X·W), input gradient (dY·Wᵀ) and weight gradient (Xᵀ·dY).</summary>
[MemoryDiagnoser]
public class GemmBenchmarks : IFlopCounted
{
    private float[] _x = [], _w = [], _y = [], _dy = [], _dx = [], _dw = [];
    private int _in, _out;

    [Params(64, 256, 1024)]
    public int Batch { get; set; }

    /// <summary>A layer as "in→out": the first layer (obs 20), the hidden layer, and the head (1 + 7 + 28 = 36).</summary>
    [Params("20→100", "100→100", "100→36")]
    public string Layer { get; set; } = "100→100";

    [GlobalSetup]
    public void Setup()
    {
        (_in, _out) = ParseLayer(Layer);
        var random = new Random(1);
        _x = Random(Batch * _in, random);
        _w = Random(_in * _out, random);
        _dy = Random(Batch * _out, random);
        _y = new float[Batch * _out];
        _dx = new float[Batch * _in];
        _dw = new float[_in * _out];
    }

    [Benchmark(Description = "Forward Y+=X·W")]
    public void Forward() => Gemm.MatMul(_x, _w, _y, Batch, _out, _in);

    [Benchmark(Description = "InputGrad dX+=dY·Wᵀ")]
    public void InputGradient() => Gemm.MatMulTransposeB(_dy, _w, _dx, Batch, _in, _out);

    [Benchmark(Description = "WeightGrad dW+=Xᵀ·dY")]
    public void WeightGradient() => Gemm.MatMulTransposeA(_x, _dy, _dw, _in, _out, Batch);

    public double FlopsPerOperation(IReadOnlyDictionary<string, object> parameters, string method)
    {
        var (i, o) = ParseLayer((string)parameters[nameof(Layer)]);
        return Gemm.Flops((int)parameters[nameof(Batch)], o, i);
    }

    private static (int In, int Out) ParseLayer(string layer)
    {
        string[] parts = layer.Split('→');
        return (int.Parse(parts[0]), int.Parse(parts[1]));
    }

    private static float[] Random(int length, Random random)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = (float)(random.NextDouble() * 2 - 1) * 0.01f;
        return values;
    }
}

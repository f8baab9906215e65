using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;
using NafNative.Interop.Onnx;
using NafNative.Naf;

namespace NafNative.Perf;

/// <summary>One observation's greedy action from the same policy two ways: <see cref="NafPolicy"/> and the
/// exported ONNX model in ONNX Runtime (one intra-op thread, as a worker runs it; tensors bound once, so only
/// Run is timed).</summary>
/// <remarks>The policy is the checkpoint at NAF_BENCH_CHECKPOINT (e.g. runs/reach/best.naf) when set, else a fresh
/// network of reach's shape (obs 23, act 7, 2×100), which costs the same.</remarks>
[MemoryDiagnoser]
public class OnnxPolicyBenchmarks
{
    private NafPolicy _policy = null!;
    private float[] _parameters = null!, _observation = null!, _action = null!, _onnxAction = null!;
    private InferenceSession _session = null!;
    private OrtValue _input = null!, _output = null!;
    private OrtValue[] _inputs = null!, _outputs = null!;
    private RunOptions _runOptions = null!;
    private readonly string[] _inputNames = [OnnxPolicy.InputName], _outputNames = [OnnxPolicy.OutputName];

    [GlobalSetup]
    public void Setup()
    {
        string? path = Environment.GetEnvironmentVariable("NAF_BENCH_CHECKPOINT");
        var trainer = path is null ? new NafTrainer(new NafOptions { ObservationSize = 23, ActionSize = 7 }) : NafCheckpoint.Load(path);
        Console.WriteLine($"// policy: {path ?? "fresh network"}, obs {trainer.Options.ObservationSize}, act {trainer.Options.ActionSize}");
        _policy = new NafPolicy(trainer.Network);
        _parameters = trainer.Online.Values;
        int obs = trainer.Options.ObservationSize, act = trainer.Options.ActionSize;
        _observation = new float[obs];
        for (int i = 0; i < obs; i++) _observation[i] = 0.05f * i;
        _action = new float[act];
        _onnxAction = new float[act];
        var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        _session = new InferenceSession(OnnxPolicy.Build(trainer.Network, _parameters), options);
        _input = OrtValue.CreateTensorValueFromMemory(_observation, [1, obs]);
        _output = OrtValue.CreateTensorValueFromMemory(_onnxAction, [1, act]);
        _inputs = [_input];
        _outputs = [_output];
        _runOptions = new RunOptions();
        OnnxRuntime();
        NafPolicyGreedy();
        for (int j = 0; j < act; j++)
            if (Math.Abs(_action[j] - _onnxAction[j]) > 1e-5f)
                throw new InvalidOperationException($"ONNX Runtime and NafPolicy disagree at action {j}: {_onnxAction[j]} vs {_action[j]}.");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _input.Dispose();
        _output.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }

    [Benchmark(Baseline = true, Description = "NafPolicy μ(x)")]
    public void NafPolicyGreedy() => _policy.Greedy(_parameters, _observation, _action);

    [Benchmark(Description = "ONNX Runtime μ(x)")]
    public void OnnxRuntime() => _session.Run(_runOptions, _inputNames, _inputs, _outputNames, _outputs);
}

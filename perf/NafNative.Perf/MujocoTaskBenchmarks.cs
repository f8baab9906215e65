using BenchmarkDotNet.Attributes;
using NafNative.Environments;
using NafNative.Sim.Tasks;

namespace NafNative.Perf;

/// <summary>The MuJoCo tasks on one core: one 20 Hz control step (25 MuJoCo steps of 2 ms split as mj_step1 / servo /
/// mj_step2, plus a forward pass for the observation), reset included once per 100 steps; the allocation column must
/// read 0 B. Needs libmujoco-dev (see README).</summary>
/// <remarks>Control steps per second = 1 s / (mean time). Run:
/// <c>dotnet run -c Release --project perf/NafNative.Perf -- --filter '*MujocoTaskBenchmarks*'</c>.</remarks>
[MemoryDiagnoser]
public class MujocoTaskBenchmarks
{
    private const int EpisodeSteps = 100;
    private IEnvironment _task = null!;
    private float[] _observation = [], _actions = [];
    private int _seed;

    [Params("door-push", "pick-place")]
    public string Task { get; set; } = "door-push";

    [GlobalSetup]
    public void Setup()
    {
        _task = Task == "door-push" ? new DoorTask() : new PickPlaceTask();
        _observation = new float[_task.ObservationSize];
        var random = new Random(1);
        _actions = new float[EpisodeSteps * _task.ActionSize];
        for (int i = 0; i < _actions.Length; i++) _actions[i] = (float)(2 * random.NextDouble() - 1);
    }

    [GlobalCleanup]
    public void Cleanup() => _task.Dispose();

    /// <summary>One episode of 100 random actions (reset included), reported per control step.</summary>
    [Benchmark(Description = "control step", OperationsPerInvoke = EpisodeSteps)]
    public float Step()
    {
        int n = _task.ActionSize;
        _task.Reset(_seed++, _observation);
        float sum = 0;
        for (int k = 0; k < EpisodeSteps; k++) sum += _task.Step(_actions.AsSpan(k * n, n), _observation).Reward;
        return sum;
    }
}

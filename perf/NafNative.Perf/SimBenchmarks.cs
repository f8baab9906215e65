using BenchmarkDotNet.Attributes;
using NafNative.Environments;
using NafNative.Sim.Arm;
using NafNative.Sim.Tasks;

namespace NafNative.Perf;

/// <summary>The built-in simulator on one core: a reach control step (20 Hz, 25 physics steps of 2 ms, each an ABA
/// plus gravity compensation), the dynamics algorithms alone, and a pendulum step; the allocation column must read 0 B.</summary>
/// <remarks>Control steps per second = 1 s / (mean time of "reach step"). Run:
/// <c>dotnet run -c Release --project perf/NafNative.Perf -- --filter '*SimBenchmarks*'</c>.</remarks>
[MemoryDiagnoser]
public class SimBenchmarks
{
    private const int EpisodeSteps = 100;
    private ReachTask _reach = null!;
    private PendulumTask _pendulum = null!;
    private ArmDynamics _dynamics = null!;
    private float[] _observation = [], _actions = [], _pendulumObservation = [];
    private double[] _q = [], _qd = [], _tau = [], _qdd = [];
    private int _seed;

    [Params(ArmIntegrator.SemiImplicitEuler, ArmIntegrator.RungeKutta4)]
    public ArmIntegrator Integrator { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _reach = new ReachTask(new ReachOptions { Simulator = new ArmSimulatorOptions { Integrator = Integrator } });
        _observation = new float[_reach.ObservationSize];
        var random = new Random(1);
        _actions = new float[EpisodeSteps * _reach.ActionSize];
        for (int i = 0; i < _actions.Length; i++) _actions[i] = (float)(2 * random.NextDouble() - 1);
        _pendulum = new PendulumTask();
        _pendulumObservation = new float[3];
        _dynamics = new ArmDynamics(ArmModel.Iiwa14());
        _q = [0.1, 0.5, -0.2, -1.4, 0.3, 1.0, -0.1];
        _qd = [0.3, -0.2, 0.1, 0.4, -0.5, 0.2, 0.6];
        _tau = [1, -30, 2, 12, 0.5, -0.3, 0.1];
        _qdd = new double[7];
    }

    /// <summary>One reach episode of 100 random actions (reset included), reported per control step.</summary>
    [Benchmark(Description = "reach step", OperationsPerInvoke = EpisodeSteps)]
    public float ReachStep()
    {
        int n = _reach.ActionSize;
        _reach.Reset(_seed++, _observation);
        float sum = 0;
        for (int k = 0; k < EpisodeSteps; k++) sum += _reach.Step(_actions.AsSpan(k * n, n), _observation).Reward;
        return sum;
    }

    /// <summary>Forward kinematics plus the articulated-body algorithm, 7 links.</summary>
    [Benchmark(Description = "ABA (7 links)")]
    public double ForwardDynamics()
    {
        _dynamics.ForwardDynamics(_q, _qd, _tau, _qdd);
        return _qdd[0];
    }

    /// <summary>Forward kinematics plus RNEA, 7 links.</summary>
    [Benchmark(Description = "RNEA (7 links)")]
    public double InverseDynamics()
    {
        _dynamics.InverseDynamics(_q, _qd, _qdd, _tau);
        return _tau[0];
    }

    [Benchmark(Description = "pendulum step", OperationsPerInvoke = 200)]
    public float PendulumStep()
    {
        _pendulum.Reset(_seed++, _pendulumObservation);
        float sum = 0;
        ReadOnlySpan<float> action = _actions.AsSpan(0, 1);
        for (int k = 0; k < 200; k++) sum += _pendulum.Step(action, _pendulumObservation).Reward;
        return sum;
    }
}

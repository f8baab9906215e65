using System.Runtime.CompilerServices;
using NafNative.Environments;
using NafNative.Safety;
using NafNative.Sim.Arm;

namespace NafNative.Sim.Tasks;

/// <summary>The original work's reaching task on the built-in arm simulator: move the end effector to a random target
/// in front of the robot with joint velocity commands.</summary>
/// <remarks>
/// <para>Figures below are the <see cref="ReachOptions"/> defaults.</para>
/// <para><b>Episode.</b> <see cref="Reset"/> draws, from its seed only, each joint angle as the home pose
/// (<see cref="ReachOptions.HomePose"/>) plus U(−0.05, 0.05) rad in joint order, zero velocities, then the target
/// x, y, z uniformly in the box <see cref="ReachOptions.TargetCenter"/> ± <see cref="ReachOptions.TargetHalfExtents"/>
/// (x 0.40–0.70, y −0.20–0.20, z 0.20–0.50 m). One step holds a velocity command for 1/20 s (25 physics steps of
/// 2 ms); the episode is truncated after <see cref="MaxEpisodeSteps"/> = 100 steps (5 s). It never terminates early.</para>
/// <para><b>Action</b> (7): a_i ∈ [−1, 1] commands q̇_cmd,i = a_i × 0.25 × max speed_i to the arm's joint velocity
/// controller (<see cref="ArmSimulator"/>). Values outside [−1, 1] are clamped. A NaN or infinite entry throws
/// <see cref="ArgumentException"/> naming its index, before anything changes: the state, step count and clock are as
/// before the call.</para>
/// <para><b>Observation</b> (23 floats, in this order; scaled to roughly unit size):
/// [0, 7) joint angles q (rad, unscaled, |q| ≤ 3.05);
/// [7, 14) joint velocities q̇_i / max speed_i;
/// [14, 17) end-effector position (p − c) / 0.25 m, c = target-box centre (0.55, 0, 0.35) m;
/// [17, 20) end-effector velocity v / 0.5 m/s;
/// [20, 23) target position (g − c) / 0.25 m.
/// Offsets: <see cref="JointVelocitiesOffset"/>, <see cref="EndEffectorPositionOffset"/>,
/// <see cref="EndEffectorVelocityOffset"/>, <see cref="TargetOffset"/>.</para>
/// <para><b>Reward</b>: r = −d + 0.25 · max(0, 1 − d / 0.05), with d = ‖p_ee − g‖ in metres after the step: the
/// negative distance plus a bonus that grows linearly to +0.25 as the end effector closes the last 5 cm.</para>
/// <para><b>Success</b> (<see cref="IsSuccess"/>): d &lt; 0.05 m at the episode's end (the last step).</para>
/// <para>Deterministic: equal seeds and actions give bit-identical observations and rewards. Reset and Step allocate
/// nothing. One thread per instance.</para>
/// </remarks>
public sealed class ReachTask : IEnvironment
{
    private readonly ReachOptions _options;
    private readonly ArmSimulator _simulator;
    private readonly int _n;
    private readonly double[] _command, _startQ, _startQd;
    private readonly float[] _executed;
    private readonly ArmCommandFilter _commands;
    private Vec3 _target;
    private int _steps;
    private bool _inEpisode;

    public ReachTask(ReachOptions? options = null)
    {
        _options = options ?? new ReachOptions();
        _options.Validate();
        _simulator = new ArmSimulator(_options.Model, _options.Simulator);
        _n = _simulator.DegreesOfFreedom;
        _command = new double[_n];
        _executed = new float[_n];
        _startQ = new double[_n];
        _startQd = new double[_n];
        ObservationSize = 2 * _n + 9;
        _commands = new ArmCommandFilter(_options.Model, _options.ActionScale,
            _options.SafetyEnabled ? CreateSafetyLimits(_options) : null, nameof(ReachTask));
    }

    /// <summary>The filter every command passes (null when <see cref="ReachOptions.SafetyEnabled"/> is off); its
    /// counters say how often each rule intervened.</summary>
    public SafetyFilter? Safety => _commands.Safety;

    /// <summary>The joint action the filtered command executed in the last step (see <see cref="IEnvironment.ExecutedAction"/>).</summary>
    public ReadOnlySpan<float> ExecutedAction => _executed;

    /// <summary>Limits for the filter: the arm's own velocity limits and joint ranges (with the configured margin),
    /// the configured workspace box, the control period, and a watchdog of four periods.</summary>
    public static SafetyLimits CreateSafetyLimits(ReachOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return ArmCommandFilter.CreateLimits(options.Model, options.Simulator.ControlRate, options.SafetyJointMargin,
            options.WorkspaceMin, options.WorkspaceMax, options.WorkspaceRule);
    }

    public string Name => "reach";
    public int ObservationSize { get; }
    public int ActionSize => _n;
    public double ControlRate => _options.Simulator.ControlRate;
    public int MaxEpisodeSteps => _options.MaxEpisodeSteps;

    public ReachOptions Options => _options;

    /// <summary>The simulated arm (joint state, end effector, model with its limits for a safety filter).</summary>
    public ArmSimulator Simulator => _simulator;

    /// <summary>The current episode's target (m, world frame).</summary>
    public Vec3 Target => _target;

    /// <summary>Distance (m) from the end effector to the target now.</summary>
    public double Distance => Vec3.Distance(_simulator.EndEffectorPosition, _target);

    /// <summary>Steps taken in the current episode.</summary>
    public int StepCount => _steps;

    public int JointVelocitiesOffset => _n;
    public int EndEffectorPositionOffset => 2 * _n;
    public int EndEffectorVelocityOffset => 2 * _n + 3;
    public int TargetOffset => 2 * _n + 6;

    /// <summary>True when the end effector is within <see cref="ReachOptions.SuccessRadius"/> of the target now; read
    /// it when an episode ends.</summary>
    public bool IsSuccess => Distance < _options.SuccessRadius;

    public void Reset(int seed, Span<float> observation)
    {
        CheckObservation(observation);
        var random = new SimRandom(seed);
        double noise = _options.InitialNoise;
        for (int i = 0; i < _n; i++)
        {
            _startQ[i] = _options.HomePose[i] + random.Uniform(-noise, noise);
            _startQd[i] = 0;
        }
        Vec3 c = _options.TargetCenter, e = _options.TargetHalfExtents;
        double x = random.Uniform(c.X - e.X, c.X + e.X);
        double y = random.Uniform(c.Y - e.Y, c.Y + e.Y);
        double z = random.Uniform(c.Z - e.Z, c.Z + e.Z);
        StartEpisode(_startQ, _startQd, new Vec3(x, y, z), observation);
    }

    /// <summary>Starts an episode from a given joint state and target instead of a seed (hand-built states in tests,
    /// curricula, replaying a real robot's start).</summary>
    public void ResetTo(ReadOnlySpan<double> q, ReadOnlySpan<double> qd, Vec3 target, Span<float> observation)
    {
        CheckObservation(observation);
        if (!double.IsFinite(target.LengthSquared))
            throw new ArgumentException($"ReachTask.ResetTo: target {target} is not finite.", nameof(target));
        StartEpisode(q, qd, target, observation);
    }

    public StepResult Step(ReadOnlySpan<float> action, Span<float> observation)
    {
        if (!_inEpisode) ThrowNotInEpisode();
        if (action.Length != _n) ThrowActionLength(action.Length);
        CheckObservation(observation);
        // Every command passes the safety filter (NaN/∞ → zero velocity and a counted fault), as on hardware.
        bool intervened = _commands.Apply(action, _simulator.Positions, _command);
        _commands.WriteExecuted(_command, _executed);
        _simulator.StepControl(_command);
        _steps++;

        double reward = RewardAt(Distance);
        bool truncated = _steps >= _options.MaxEpisodeSteps;
        if (truncated) _inEpisode = false;
        WriteObservation(observation);
        return new StepResult((float)reward, Terminated: false, Truncated: truncated, SafetyIntervened: intervened,
            Interventions: _commands.LastInterventions);
    }

    /// <summary>The reward at end-effector–target distance <paramref name="distance"/> (m):
    /// −d + BonusWeight · max(0, 1 − d / BonusRadius).</summary>
    public double RewardAt(double distance) =>
        -distance + _options.BonusWeight * Math.Max(0, 1 - distance / _options.BonusRadius);

    public void Dispose()
    {
    }

    private void StartEpisode(ReadOnlySpan<double> q, ReadOnlySpan<double> qd, Vec3 target, Span<float> observation)
    {
        _simulator.SetState(q, qd); // validates lengths and finiteness
        _target = target;
        _steps = 0;
        _inEpisode = true;
        WriteObservation(observation);
    }

    private void WriteObservation(Span<float> observation)
    {
        ReadOnlySpan<double> q = _simulator.Positions, qd = _simulator.Velocities;
        ReadOnlySpan<double> maxVelocity = _options.Model.MaxVelocities;
        for (int i = 0; i < _n; i++)
        {
            observation[i] = (float)q[i];
            observation[_n + i] = (float)(qd[i] / maxVelocity[i]);
        }
        double positionScale = 1 / _options.PositionScale, velocityScale = 1 / _options.VelocityScale;
        Vec3 c = _options.TargetCenter;
        (positionScale * (_simulator.EndEffectorPosition - c)).CopyTo(observation.Slice(EndEffectorPositionOffset, 3));
        (velocityScale * _simulator.EndEffectorVelocity).CopyTo(observation.Slice(EndEffectorVelocityOffset, 3));
        (positionScale * (_target - c)).CopyTo(observation.Slice(TargetOffset, 3));
    }

    private void CheckObservation(Span<float> observation)
    {
        if (observation.Length != ObservationSize) ThrowObservationLength(observation.Length);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowObservationLength(int length) =>
        throw new ArgumentException($"ReachTask: observation buffer has length {length}; pass exactly ObservationSize = {ObservationSize}.", "observation");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowActionLength(int length) =>
        throw new ArgumentException($"ReachTask.Step: action has length {length}; pass exactly ActionSize = {_n}.", "action");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowNotInEpisode() =>
        throw new InvalidOperationException(_steps == 0
            ? "ReachTask.Step: no episode is running; call Reset(seed, observation) first."
            : $"ReachTask.Step: the episode ended after {_steps} steps (truncated at MaxEpisodeSteps); call Reset to start another.");
}

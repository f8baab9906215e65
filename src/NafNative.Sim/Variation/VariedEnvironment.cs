using NafNative.Environments;

namespace NafNative.Sim.Variation;

/// <summary>An arm task as one particular robot sees it: encoders that read with a zero offset and noise, commands
/// that arrive whole control steps late and with noise. The inner task keeps the true state, its physics and its
/// safety filter (which sees the true joint angles, as a drive's own limit switches would).</summary>
/// <remarks>Arm tasks' observations start with n joint angles (rad) and n joint velocities (fraction of the maximum
/// speed), where the offsets and noises apply; everything after them (end effector, target, task extras) is passed
/// through. Noise is drawn from a generator seeded by each episode's seed and the robot, so episodes replay exactly.
/// Allocation-free after construction; one thread per instance.</remarks>
public sealed class VariedEnvironment : IEnvironment
{
    private readonly IEnvironment _inner;
    private readonly int _joints;
    private readonly float[] _delayed, _queue;
    private int _queueHead;
    private SimRandom _noise;

    /// <param name="inner">The nominal task (owned: disposed with this).</param>
    /// <param name="robot">This robot's parameters; its joint count must match the task's actions.</param>
    /// <param name="joints">Arm joints: the first <paramref name="joints"/> action entries and observation angles/velocities.</param>
    public VariedEnvironment(IEnvironment inner, RobotParameters robot, int joints)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(robot);
        if (joints <= 0 || joints > inner.ActionSize || 2 * joints > inner.ObservationSize || robot.JointOffsetsRad.Length != joints)
            throw new ArgumentException($"VariedEnvironment: {joints} joints do not fit task {inner.Name} (actions {inner.ActionSize}, " +
                $"observation {inner.ObservationSize}) or robot {robot.Worker} ({robot.JointOffsetsRad.Length} joints).", nameof(joints));
        if (robot.LatencySteps >= inner.MaxEpisodeSteps)
            throw new ArgumentException($"config field 'variation.latency_steps': {robot.LatencySteps} control steps is not shorter than the " +
                $"{inner.Name} episode ({inner.MaxEpisodeSteps} steps); no command would ever arrive.");
        _inner = inner;
        _joints = joints;
        Robot = robot;
        _delayed = new float[inner.ActionSize];
        _queue = new float[(robot.LatencySteps + 1) * inner.ActionSize];
    }

    /// <summary>This robot's parameters.</summary>
    public RobotParameters Robot { get; }

    /// <summary>The nominal task inside (true state).</summary>
    public IEnvironment Inner => _inner;

    public string Name => _inner.Name;
    public int ObservationSize => _inner.ObservationSize;
    public int ActionSize => _inner.ActionSize;
    public double ControlRate => _inner.ControlRate;
    public int MaxEpisodeSteps => _inner.MaxEpisodeSteps;
    public bool IsSuccess => _inner.IsSuccess;
    /// <summary>The inner task's executed action when commands arrive at once; with latency, the filtered command
    /// belongs to an action of <see cref="RobotParameters.LatencySteps"/> steps ago, not to this step's, so none is
    /// reported and the worker stores the commanded action (the delay is part of this robot's dynamics).</summary>
    /// <summary>The task's own: the relabelled reward is computed from the observed (noisy, offset) goal and cube, as
    /// a real robot's would be.</summary>
    public IGoalRelabeling? GoalRelabeling => _inner.GoalRelabeling;

    public ReadOnlySpan<float> ExecutedAction => Robot.LatencySteps == 0 ? _inner.ExecutedAction : ReadOnlySpan<float>.Empty;

    public void Reset(int seed, Span<float> observation)
    {
        _inner.Reset(seed, observation);
        _noise = new SimRandom(unchecked(seed * 31 + Robot.Worker * 1_000_033 + 0x0B5E));
        // The commands in flight at the start are "hold still": a robot starts an episode at rest.
        Array.Clear(_queue);
        _queueHead = 0;
        Sense(observation);
    }

    public StepResult Step(ReadOnlySpan<float> action, Span<float> observation)
    {
        if (action.Length != ActionSize)
            throw new ArgumentException($"{Name}: action has length {action.Length}; pass exactly ActionSize = {ActionSize}.", nameof(action));
        int a = ActionSize;
        // Enqueue this step's command (with the actuator noise) and send the one L steps old.
        Span<float> slot = _queue.AsSpan(_queueHead * a, a);
        for (int i = 0; i < a; i++)
            slot[i] = Robot.ActionNoise == 0 || !float.IsFinite(action[i]) ? action[i]
                : Math.Clamp(action[i] + (float)(Robot.ActionNoise * Gaussian()), -1f, 1f);
        _queueHead = (_queueHead + 1) % (Robot.LatencySteps + 1);
        _queue.AsSpan(_queueHead * a, a).CopyTo(_delayed);
        var result = _inner.Step(Robot.LatencySteps == 0 ? slot : _delayed, observation);
        Sense(observation);
        return result;
    }

    public void Dispose() => _inner.Dispose();

    // What the robot's sensors report: true angle + zero offset + noise; velocity + noise.
    private void Sense(Span<float> observation)
    {
        for (int i = 0; i < _joints; i++)
        {
            double angle = observation[i] + Robot.JointOffsetsRad[i];
            if (Robot.JointAngleNoiseRad > 0) angle += Robot.JointAngleNoiseRad * Gaussian();
            observation[i] = (float)angle;
            if (Robot.JointVelocityNoise > 0) observation[_joints + i] += (float)(Robot.JointVelocityNoise * Gaussian());
        }
    }

    // Box–Muller from the episode's generator.
    private double Gaussian()
    {
        double u1 = 1.0 - _noise.NextDouble(), u2 = _noise.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}

using System.Numerics;
using NafNative.Environments;

namespace NafNative.Hardware.Robots;

/// <summary>The reaching task on a robot behind the safety-guarded control loop: the same observation layout, reward
/// and success criterion as the simulated reach task, targets drawn in the robot file's target box, and a reset that
/// drives the arm slowly back to its home pose.</summary>
/// <remarks>
/// <para><b>Observation</b> (2n + 9 + extras): joint angles q (rad); joint velocities q̇ᵢ / max speedᵢ; end-effector
/// position (p − c) / position scale; its velocity (by forward kinematics along q̇) / velocity scale; target
/// (g − c) / position scale; then each <see cref="IObservationExtra"/>'s values. c is the target box's centre.</para>
/// <para><b>Action</b> (n, in [−1, 1]): joint velocity aᵢ × action scale × max speedᵢ, posted to the control loop,
/// which filters it (speed, joint range, workspace) before the motors see it.</para>
/// <para><b>Reward</b> −d + 0.25 · max(0, 1 − d / 0.05), d the end effector's distance to the target (m); success:
/// d &lt; success radius at the episode's end.</para>
/// <para><b>Reset</b>: home pose plus U(±initial noise) per joint from the seed, reached by a proportional motion
/// capped at the file's home speed, through the same filter; then the target is drawn from the same seed.</para>
/// <para><b>Recovery</b> (robot file <c>recover_between_episodes</c>): a safety stop for a lost link or a drive error
/// during an episode still stops the arm (zero velocity, hold, torque off); the step then ends the episode as
/// discarded (its observation is not an outcome of the action), and the next <see cref="Reset"/> asks the controller
/// to recover (<see cref="RobotController.TryRecover"/>) before homing. Without it, or when recovery fails, the stop
/// is thrown.</para>
/// </remarks>
public sealed class RobotReachTask : IHoldableEnvironment
{
    private readonly RobotController _controller;
    private readonly RobotDescription _robot;
    private readonly RobotReachSettings _task;
    private readonly IObservationExtra[] _extras;
    private readonly bool _ownsController;
    private readonly int _n;
    private readonly double[] _q, _qd, _command, _goal, _sent;
    private readonly float[] _executed;
    private readonly float[] _qf, _probe;
    private Vector3 _target;
    private int _steps;
    private bool _inEpisode;
    private RobotStoppedException? _pendingRecovery;

    /// <param name="controller">The robot's started control loop.</param>
    /// <param name="extras">Other sensors' values to append (none for plain reaching).</param>
    /// <param name="ownsController">Dispose the controller (and so stop the arm) with the task.</param>
    public RobotReachTask(RobotController controller, IReadOnlyList<IObservationExtra>? extras = null, bool ownsController = true)
    {
        ArgumentNullException.ThrowIfNull(controller);
        _controller = controller;
        _robot = controller.Robot;
        _task = _robot.Reach;
        _extras = [.. extras ?? []];
        _ownsController = ownsController;
        _n = _robot.JointCount;
        _q = new double[_n];
        _qd = new double[_n];
        _command = new double[_n];
        _sent = new double[_n];
        _executed = new float[_n];
        _goal = new double[_n];
        _qf = new float[_n];
        _probe = new float[_n];
        int extraSize = 0;
        foreach (var e in _extras) extraSize += e.Size;
        ObservationSize = 2 * _n + 9 + extraSize;
    }

    /// <summary>What the last recovery did (empty before any).</summary>
    public string LastRecovery { get; private set; } = "";

    public string Name => "reach";
    public int ObservationSize { get; }
    public int ActionSize => _n;
    /// <summary>The action the safety filter let through in the last step (see <see cref="IEnvironment.ExecutedAction"/>).</summary>
    public ReadOnlySpan<float> ExecutedAction => _executed;

    public double ControlRate => _robot.ControlRate * _controller.TimeScale;
    public int MaxEpisodeSteps => _task.EpisodeSteps;
    public RobotController Controller => _controller;
    public Vector3 Target => _target;
    public Vector3 EndEffector => _robot.Kinematics.EndEffectorPosition(ToFloat(_q));
    public float Distance => Vector3.Distance(EndEffector, _target);
    public bool IsSuccess => Distance < _task.SuccessRadius;

    public void Reset(int seed, Span<float> observation)
    {
        CheckObservation(observation);
        var random = new Random(seed);
        for (int i = 0; i < _n; i++) _goal[i] = _robot.Home[i] + (2 * random.NextDouble() - 1) * _task.InitialNoise;
        Vector3 c = _task.TargetCenter, e = _task.TargetHalfExtents;
        _target = new Vector3(Draw(random, c.X, e.X), Draw(random, c.Y, e.Y), Draw(random, c.Z, e.Z));
        // A stop during the reset motion is recovered too (the arm has stopped, and no episode is running), at most
        // twice: a link that keeps failing ends the run.
        for (int attempt = 0; ; attempt++)
        {
            RecoverIfPending();
            try
            {
                MoveTo(_goal);
                _controller.Arm();
                break;
            }
            catch (RobotStoppedException stop) when (attempt < 2 && Recoverable(stop))
            {
                _pendingRecovery = stop;
            }
        }
        _steps = 0;
        _inEpisode = true;
        WriteObservation(observation);
    }

    private bool Recoverable(RobotStoppedException stop) =>
        _robot.RecoverBetweenEpisodes && stop.Reason is RobotStopReason.LinkLost or RobotStopReason.HardwareError;

    private void RecoverIfPending()
    {
        if (_pendingRecovery is not { } stop) return;
        if (!_controller.TryRecover(out string report))
            throw new RobotStoppedException(_robot.Name, stop.Reason, $"{stop.Detail}; recovery between episodes failed: {report}");
        _pendingRecovery = null;
        LastRecovery = report;
    }

    public StepResult Step(ReadOnlySpan<float> action, Span<float> observation)
    {
        if (!_inEpisode) throw new InvalidOperationException($"robot {_robot.Name}: Step without a running episode; call Reset first.");
        if (action.Length != _n) throw new ArgumentException($"robot {_robot.Name}: action has {action.Length} values; pass {_n}.", nameof(action));
        CheckObservation(observation);
        for (int i = 0; i < _n; i++)
        {
            float a = action[i];
            // A non-finite action goes to the filter as it is: it stops all motion and counts a fault.
            _command[i] = float.IsFinite(a) ? Math.Clamp(a, -1f, 1f) * _task.ActionScale * _robot.Joints[i].MaxVelocity : a;
        }
        bool intervened;
        try
        {
            long seq = _controller.Command(_command);
            intervened = _controller.WaitForState(seq, _q, _qd, _sent);
        }
        catch (RobotStoppedException e) when (Recoverable(e))
        {
            // The arm is already stopped; the episode ends here and the next Reset recovers.
            _pendingRecovery = e;
            _inEpisode = false;
            _steps++;
            WriteObservation(observation);
            return new StepResult(0, Terminated: false, Truncated: true, Discard: true);
        }
        // What the filter let through, back in action units: the replay pairs the outcome with it.
        for (int i = 0; i < _n; i++)
            _executed[i] = (float)Math.Clamp(_sent[i] / (_task.ActionScale * _robot.Joints[i].MaxVelocity), -1.0, 1.0);
        _steps++;
        float d = Distance;
        float reward = -d + 0.25f * MathF.Max(0, 1 - d / 0.05f);
        bool truncated = _steps >= _task.EpisodeSteps;
        if (truncated)
        {
            _inEpisode = false;
            _controller.Hold();
        }
        WriteObservation(observation);
        return new StepResult(reward, Terminated: false, Truncated: truncated, SafetyIntervened: intervened);
    }

    /// <summary>Ends the episode here and holds the arm at rest: the control loop sends zero velocity through the
    /// safety filter every period (its link checks and the drives' bus watchdog carry on; the policy watchdog waits
    /// for the next arming) until the next <see cref="Reset"/> homes and arms it again.</summary>
    public void HoldAtRest()
    {
        _inEpisode = false;
        _controller.Hold();
    }

    /// <summary>A safety stop from any thread (<see cref="RobotController.RequestStop"/>): zero velocity at the next
    /// cycle, torque off after the stop hold; the next step throws <see cref="RobotStoppedException"/>.</summary>
    public void SafetyStop(string reason) => _controller.RequestStop(reason);

    /// <summary>Drives the arm to <paramref name="goal"/> (rad) at no more than the home speed, through the filter.</summary>
    /// <remarks>A straight line in joint space can cross the workspace box even when both ends are inside it, and the
    /// filter then stops every joint. So when the filter stops the whole motion, the reset moves one joint at a time
    /// (largest error first, each until it arrives or is stopped in turn) and then tries the whole motion again, as
    /// arms are homed joint by joint.</remarks>
    /// <exception cref="TimeoutException">The arm did not get there within the file's home timeout.</exception>
    public void MoveTo(ReadOnlySpan<double> goal)
    {
        _controller.Arm();
        _controller.ReadState(_q, _qd);
        int maxCycles = (int)Math.Ceiling(_robot.HomeTimeout * _robot.ControlRate);
        // 1/s: 0.1 rad off → 0.4 rad/s, capped at the home speed. Drives quantise velocity (a Dynamixel unit is
        // 0.024 rad/s), so the motion stalls once Gain·error is below one unit: Tolerance sits above that.
        const double Gain = 4.0, Tolerance = 0.015;
        long stops0 = _controller.Safety.WorkspaceStops, joints0 = _controller.Safety.JointLimitStops;
        int single = -1;      // the joint moving alone, or −1 for the whole motion
        var skipped = new bool[_n]; // joints stopped on their own in this round of one-at-a-time moves
        for (int cycle = 0; ; cycle++)
        {
            double worst = 0, fastest = 0;
            int worstJoint = 0;
            for (int i = 0; i < _n; i++)
            {
                double error = goal[i] - _q[i];
                if (Math.Abs(error) > worst) (worst, worstJoint) = (Math.Abs(error), i);
                fastest = Math.Max(fastest, Math.Abs(_qd[i]));
                _command[i] = Math.Clamp(Gain * error, -_robot.HomeSpeed, _robot.HomeSpeed);
            }
            if (worst < Tolerance && fastest < 0.05) break;
            if (cycle >= maxCycles)
            {
                _controller.Hold();
                throw new TimeoutException($"robot {_robot.Name}: could not reach the pose within {_robot.HomeTimeout} s: " +
                    $"{_robot.Joints[worstJoint].Name} is still {worst:F3} rad away; the safety filter stopped this motion " +
                    $"{_controller.Safety.WorkspaceStops - stops0} times at the workspace box and {_controller.Safety.JointLimitStops - joints0} times at a joint limit " +
                    "(is the pose reachable without leaving the box? is the arm blocked?).");
            }
            if (single >= 0)
            {
                if (Math.Abs(goal[single] - _q[single]) < Tolerance) single = -1; // arrived: try the whole motion again
                else for (int i = 0; i < _n; i++) if (i != single) _command[i] = 0;
            }
            bool stopped = _controller.WaitForState(_controller.Command(_command), _q, _qd);
            if (!stopped) continue;
            if (single >= 0) skipped[single] = true;
            single = NextJoint(goal, skipped, Tolerance);
            if (single < 0)
            {
                Array.Clear(skipped); // every joint was stopped alone: start another round
                single = NextJoint(goal, skipped, Tolerance);
            }
        }
        _controller.Hold();
        // One more period at rest so the episode starts from a still arm's fresh reading.
        _controller.ReadState(_q, _qd);
    }

    // The joint with the largest remaining error that has not been stopped alone this round, or −1.
    private int NextJoint(ReadOnlySpan<double> goal, bool[] skipped, double tolerance)
    {
        int best = -1;
        double largest = tolerance;
        for (int i = 0; i < _n; i++)
        {
            double e = Math.Abs(goal[i] - _q[i]);
            if (!skipped[i] && e > largest) (largest, best) = (e, i);
        }
        return best;
    }

    public void Dispose()
    {
        if (_ownsController) _controller.Dispose();
    }

    private void WriteObservation(Span<float> observation)
    {
        for (int i = 0; i < _n; i++)
        {
            observation[i] = (float)_q[i];
            observation[_n + i] = (float)(_qd[i] / _robot.Joints[i].MaxVelocity);
        }
        Vector3 p = _robot.Kinematics.EndEffectorPosition(ToFloat(_q));
        // End-effector velocity J·q̇ as a central difference along q̇ (exact to O(ε²); two kinematics calls).
        const float Epsilon = 1e-3f;
        for (int i = 0; i < _n; i++) _probe[i] = (float)(_q[i] + Epsilon * _qd[i]);
        Vector3 ahead = _robot.Kinematics.EndEffectorPosition(_probe);
        for (int i = 0; i < _n; i++) _probe[i] = (float)(_q[i] - Epsilon * _qd[i]);
        Vector3 behind = _robot.Kinematics.EndEffectorPosition(_probe);
        Vector3 v = (ahead - behind) / (2 * Epsilon);
        float ps = 1 / (float)_task.PositionScale, vs = 1 / (float)_task.VelocityScale;
        Vector3 c = _task.TargetCenter;
        Put(observation, 2 * _n, (p - c) * ps);
        Put(observation, 2 * _n + 3, v * vs);
        Put(observation, 2 * _n + 6, (_target - c) * ps);
        int at = 2 * _n + 9;
        foreach (var extra in _extras)
        {
            extra.Read(observation.Slice(at, extra.Size));
            at += extra.Size;
        }
    }

    private float[] ToFloat(double[] q)
    {
        for (int i = 0; i < _n; i++) _qf[i] = (float)q[i];
        return _qf;
    }

    private static void Put(Span<float> o, int at, Vector3 v)
    {
        o[at] = v.X;
        o[at + 1] = v.Y;
        o[at + 2] = v.Z;
    }

    private static float Draw(Random random, float center, float half) => center + (float)(2 * random.NextDouble() - 1) * half;

    private void CheckObservation(Span<float> observation)
    {
        if (observation.Length != ObservationSize)
            throw new ArgumentException($"robot {_robot.Name}: observation buffer has {observation.Length} values; pass ObservationSize = {ObservationSize}.", nameof(observation));
    }
}

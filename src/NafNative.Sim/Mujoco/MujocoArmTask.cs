using System.Runtime.CompilerServices;
using NafNative.Environments;
using NafNative.Safety;
using NafNative.Sim.Arm;
using NafNative.Sim.Tasks;

namespace NafNative.Sim.Mujoco;

/// <summary>The part every MuJoCo arm task shares: loading its MJCF (the arm of iiwa14_gripper.xml plus the task's
/// objects), the arm's joint velocity servo, the safety filter, the substep loop and the common observation.</summary>
/// <remarks>
/// <para><b>Servo</b> (per joint, every 2 ms physics step, between mj_step1 and mj_step2 so the bias is current):
/// motor control = qfrc_bias_i + D_i q̇_cmd,i, saturated at the motor's range, where D_i = b_i + K_v,i is the joint's
/// MJCF damping, which MuJoCo's Euler integrator applies implicitly as −D_i q̇_i: together τ = g + C q̇ + b q̇_cmd +
/// K_v (q̇_cmd − q̇), the built-in simulator's controller (<see cref="ArmSimulator"/>). The fingers are position servos.</para>
/// <para><b>Observation</b> (first 23 floats as reach's): [0, 7) joint angles; [7, 14) joint velocities / max speed;
/// [14, 17) end-effector position (p − c) / s; [17, 20) end-effector velocity / v; [20, 23) the task's target position
/// (p − c) / s; then the task's extras (documented by each task). c = <see cref="MujocoArmOptions.ObservationCenter"/>,
/// s = PositionScale, v = VelocityScale.</para>
/// <para><b>Instability</b>: if MuJoCo meets NaN or huge accelerations it resets its state and warns. The state the
/// step returns was then teleported, not reached, so the step is marked <see cref="StepResult.Discard"/> (the worker
/// stores no transition for it: stored as terminal, with mostly negative rewards, it would teach the critic that
/// crashing the physics pays) and ends the episode as truncated; <see cref="PhysicsResets"/> counts it.</para>
/// <para>Deterministic given a seed and actions. Step allocates nothing. One thread per instance.</para>
/// </remarks>
public abstract class MujocoArmTask : IEnvironment
{
    /// <summary>Arm joints: 7 angles, then 7 velocities, end-effector position and velocity, target (3 each).</summary>
    public const int CommonObservationSize = 23;

    private readonly MujocoArmOptions _options;
    private readonly ArmCommandFilter _commands;
    private readonly int[] _armQpos, _armDof, _armMotor;
    private readonly double[] _armDamping, _motorLow, _motorHigh, _command;
    private readonly float[] _executed;
    private readonly int _fingerLeft, _fingerRight, _eeSite, _substeps, _armActions;
    private int _steps, _instabilityWarnings;
    private bool _inEpisode;
    private double _fingerOpening;

    private protected MujocoArmTask(MujocoArmOptions options, string defaultModelFile, int extraObservations, bool gripperAction)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        string path = options.ModelFile ?? Path.Combine(MujocoModels.Directory, defaultModelFile);
        MujocoRuntime.EnsureAvailable(Path.GetFileNameWithoutExtension(path).Replace('_', '-'));
        ModelHandle = MujocoModel.Load(path);
        try
        {
            Simulation = new MujocoSimulation(ModelHandle);
            int n = options.Model.DegreesOfFreedom;
            _armQpos = new int[n];
            _armDof = new int[n];
            _armMotor = new int[n];
            _armDamping = new double[n];
            _motorLow = new double[n];
            _motorHigh = new double[n];
            _command = new double[n];
            for (int i = 0; i < n; i++)
            {
                string joint = $"j{i + 1}", motor = $"m{i + 1}";
                _armQpos[i] = ModelHandle.JointPositionAddress(joint);
                _armDof[i] = ModelHandle.JointVelocityAddress(joint);
                _armMotor[i] = ModelHandle.Id(MujocoObject.Actuator, motor);
                _armDamping[i] = ModelHandle.DofDamping[_armDof[i]];
                (_motorLow[i], _motorHigh[i]) = ModelHandle.ControlRange(motor);
            }
            _fingerLeft = ModelHandle.Id(MujocoObject.Actuator, "finger_left");
            _fingerRight = ModelHandle.Id(MujocoObject.Actuator, "finger_right");
            _eeSite = ModelHandle.Id(MujocoObject.Site, "ee");
            double ratio = 1.0 / (options.ControlRate * ModelHandle.Timestep);
            if (Math.Abs(ratio - Math.Round(ratio)) > 1e-6 || ratio < 0.5)
                throw new ArgumentException($"{GetType().Name}: control period 1/{options.ControlRate} s is not a whole number of the model's {ModelHandle.Timestep} s steps.");
            _substeps = (int)Math.Round(ratio);
            _armActions = n;
            ActionSize = n + (gripperAction ? 1 : 0);
            _executed = new float[ActionSize];
            ObservationSize = CommonObservationSize + extraObservations;
            var limits = options.SafetyEnabled
                ? ArmCommandFilter.CreateLimits(options.Model, options.ControlRate, options.SafetyJointMargin, options.WorkspaceMin, options.WorkspaceMax,
                    options.WorkspaceRule)
                : null;
            _commands = new ArmCommandFilter(options.Model, options.ActionScale, limits, GetType().Name);
        }
        catch
        {
            Simulation?.Dispose();
            ModelHandle.Dispose();
            throw;
        }
    }

    public abstract string Name { get; }
    public int ObservationSize { get; }
    public int ActionSize { get; }
    public double ControlRate => _options.ControlRate;
    public int MaxEpisodeSteps => _options.MaxEpisodeSteps;
    public abstract bool IsSuccess { get; }

    /// <summary>The compiled model and its simulation state (tests, tools; not for use while a worker steps it).</summary>
    public MujocoModel ModelHandle { get; }
    public MujocoSimulation Simulation { get; }

    /// <summary>The filter every arm command passes (null when safety is off).</summary>
    public SafetyFilter? Safety => _commands.Safety;

    /// <summary>The action the filtered arm command (and the gripper) executed in the last step (see
    /// <see cref="IEnvironment.ExecutedAction"/>).</summary>
    public ReadOnlySpan<float> ExecutedAction => _executed;

    /// <summary>None by default; a task whose reward separates a goal term overrides it.</summary>
    public virtual IGoalRelabeling? GoalRelabeling => null;

    /// <summary>Physics steps per control step.</summary>
    public int Substeps => _substeps;

    /// <summary>Steps taken in the current episode.</summary>
    public int StepCount => _steps;

    /// <summary>Episodes ended because MuJoCo found the simulation unstable and reset it.</summary>
    public long PhysicsResets { get; private set; }

    /// <summary>The end effector's position (world, m).</summary>
    public Vec3 EndEffectorPosition => Simulation.SitePosition(_eeSite);

    /// <summary>Arm joint angle i (rad).</summary>
    public double JointAngle(int joint) => Simulation.Qpos[_armQpos[joint]];

    /// <summary>The task's target point, written to the observation's target slot (m, world).</summary>
    public abstract Vec3 TargetPosition { get; }

    /// <summary>The finger opening the fingers servo to (m per finger, 0 closed … 0.04 open): 0.04·clamp(a + 1, 0, 1)
    /// for gripper action a.</summary>
    public double FingerOpeningCommand => _fingerOpening;

    public void Reset(int seed, Span<float> observation)
    {
        CheckObservation(observation);
        var random = new SimRandom(seed);
        Simulation.Reset();
        Span<double> qpos = Simulation.Qpos;
        double noise = _options.InitialNoise;
        for (int i = 0; i < _armQpos.Length; i++) qpos[_armQpos[i]] = _options.HomePose[i] + random.Uniform(-noise, noise);
        _fingerOpening = 0;
        OnReset(ref random);
        StartEpisode(observation);
    }

    /// <summary>Starts an episode from a given arm pose (zero velocity) with the task's objects at their defaults,
    /// then <paramref name="arrange"/> may place them (hand-built states in tests).</summary>
    public void ResetTo(ReadOnlySpan<double> armAngles, Span<float> observation, Action<MujocoSimulation>? arrange = null)
    {
        CheckObservation(observation);
        if (armAngles.Length != _armQpos.Length)
            throw new ArgumentException($"{GetType().Name}.ResetTo: {armAngles.Length} angles for {_armQpos.Length} joints.", nameof(armAngles));
        foreach (double a in armAngles)
            if (!double.IsFinite(a)) throw new ArgumentException($"{GetType().Name}.ResetTo: joint angle {a} is not finite.", nameof(armAngles));
        Simulation.Reset();
        Span<double> qpos = Simulation.Qpos;
        for (int i = 0; i < _armQpos.Length; i++) qpos[_armQpos[i]] = armAngles[i];
        _fingerOpening = 0;
        var random = new SimRandom(0);
        OnReset(ref random);
        arrange?.Invoke(Simulation);
        StartEpisode(observation);
    }

    public StepResult Step(ReadOnlySpan<float> action, Span<float> observation)
    {
        if (!_inEpisode) ThrowNotInEpisode();
        if (action.Length != ActionSize) ThrowActionLength(action.Length);
        CheckObservation(observation);
        // Every arm command passes the safety filter (NaN/∞ → zero velocity and a counted fault), as on hardware.
        Span<double> qpos = Simulation.Qpos;
        Span<double> angles = stackalloc double[_armQpos.Length];
        for (int i = 0; i < angles.Length; i++) angles[i] = qpos[_armQpos[i]];
        bool intervened = _commands.Apply(action, angles, _command);
        _commands.WriteExecuted(_command, _executed);
        if (ActionSize > _armActions)
        {
            float g = action[_armActions];
            // A non-finite gripper action keeps the last opening: the fingers are not a safety hazard, but NaN is no command.
            // a ≥ 0 opens fully and a ∈ [−1, 0) closes in proportion, so an untrained policy (μ ≈ 0) starts with open
            // fingers and closing is a deliberate act (a < −0.5 squeezes a 4 cm cube).
            if (float.IsFinite(g)) _fingerOpening = 0.04 * Math.Clamp(g + 1f, 0f, 1f);
            else intervened = true;
            // The gripper has no filter: it executes its (clamped) action, or holds the opening that maps back to.
            _executed[_armActions] = float.IsFinite(g) ? Math.Clamp(g, -1f, 1f) : (float)(_fingerOpening / 0.04 - 1);
        }

        for (int s = 0; s < _substeps; s++)
        {
            Simulation.Step1();
            ReadOnlySpan<double> bias = Simulation.QfrcBias;
            Span<double> ctrl = Simulation.Ctrl;
            for (int i = 0; i < _armMotor.Length; i++)
                ctrl[_armMotor[i]] = Math.Clamp(bias[_armDof[i]] + _armDamping[i] * _command[i], _motorLow[i], _motorHigh[i]);
            ctrl[_fingerLeft] = _fingerOpening;
            ctrl[_fingerRight] = _fingerOpening;
            OnSubstep();
            Simulation.Step2();
        }
        Simulation.Forward();
        _steps++;

        bool unstable = Simulation.InstabilityWarnings != _instabilityWarnings;
        if (unstable)
        {
            _instabilityWarnings = Simulation.InstabilityWarnings;
            PhysicsResets++;
        }
        double reward = ComputeReward();
        bool truncated = unstable || _steps >= _options.MaxEpisodeSteps;
        if (truncated) _inEpisode = false;
        WriteObservation(observation);
        return new StepResult((float)reward, Terminated: false, Truncated: truncated, SafetyIntervened: intervened, Discard: unstable,
            Interventions: _commands.LastInterventions);
    }

    public void Dispose()
    {
        Simulation.Dispose();
        ModelHandle.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Places the task's objects and draws its target after the arm is posed (state not yet forwarded).</summary>
    private protected abstract void OnReset(ref SimRandom random);

    /// <summary>Called when an episode starts, after the state is placed (by <see cref="OnReset"/> or a test's
    /// arrangement) and forwarded.</summary>
    private protected virtual void OnEpisodeStart()
    {
    }

    /// <summary>Called every physics step after the arm's controls are set (e.g. a door latch's forces).</summary>
    private protected virtual void OnSubstep()
    {
    }

    /// <summary>The reward of the state just reached.</summary>
    private protected abstract double ComputeReward();

    /// <summary>Writes the task's extra observation entries (after the common 23).</summary>
    private protected abstract void WriteExtras(Span<float> extras);

    /// <summary>A world position in observation units.</summary>
    private protected void WritePosition(Span<float> destination, Vec3 position) =>
        ((position - _options.ObservationCenter) * (1 / _options.PositionScale)).CopyTo(destination);

    private void StartEpisode(Span<float> observation)
    {
        Simulation.Forward();
        _instabilityWarnings = Simulation.InstabilityWarnings;
        OnEpisodeStart();
        _steps = 0;
        _inEpisode = true;
        WriteObservation(observation);
    }

    private void WriteObservation(Span<float> observation)
    {
        ReadOnlySpan<double> qpos = Simulation.Qpos, qvel = Simulation.Qvel;
        ReadOnlySpan<double> maxVelocity = _options.Model.MaxVelocities;
        int n = _armQpos.Length;
        for (int i = 0; i < n; i++)
        {
            observation[i] = (float)qpos[_armQpos[i]];
            observation[n + i] = (float)(qvel[_armDof[i]] / maxVelocity[i]);
        }
        WritePosition(observation.Slice(2 * n, 3), EndEffectorPosition);
        (Simulation.SiteLinearVelocity(_eeSite) * (1 / _options.VelocityScale)).CopyTo(observation.Slice(2 * n + 3, 3));
        WritePosition(observation.Slice(2 * n + 6, 3), TargetPosition);
        WriteExtras(observation[CommonObservationSize..]);
    }

    private void CheckObservation(Span<float> observation)
    {
        if (observation.Length != ObservationSize) ThrowObservationLength(observation.Length);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowObservationLength(int length) =>
        throw new ArgumentException($"{GetType().Name}: observation buffer has length {length}; pass exactly ObservationSize = {ObservationSize}.", "observation");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowActionLength(int length) =>
        throw new ArgumentException($"{GetType().Name}.Step: action has length {length}; pass exactly ActionSize = {ActionSize}.", "action");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowNotInEpisode() =>
        throw new InvalidOperationException(_steps == 0
            ? $"{GetType().Name}.Step: no episode is running; call Reset(seed, observation) first."
            : $"{GetType().Name}.Step: the episode ended after {_steps} steps; call Reset to start another.");
}

/// <summary>Where the shipped MJCF models are: <c>mujoco/</c> next to NafNative.Sim.dll (copied there by the build).</summary>
public static class MujocoModels
{
    public static string Directory => Path.Combine(MujocoNative.AssemblyDirectory, "mujoco");
}

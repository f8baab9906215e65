using NafNative.Sim.Arm;

namespace NafNative.Sim.Tasks;

/// <summary>Settings every MuJoCo arm task shares (<see cref="DoorOptions"/>, <see cref="PickPlaceOptions"/>); the
/// defaults are the documented tasks.</summary>
public abstract record MujocoArmOptions
{
    /// <summary>The arm as the safety filter and the action scaling see it (velocity limits, joint ranges,
    /// kinematics). Must describe the MJCF's arm: a test checks that MuJoCo's end-effector positions match
    /// <see cref="ArmForwardKinematics"/> of this model. Default <see cref="ArmModel.Iiwa14"/>.</summary>
    public ArmModel Model { get; init; } = ArmModel.Iiwa14();

    /// <summary>The MJCF file to load; null means the task's own model shipped under <c>mujoco/</c> next to the
    /// assembly.</summary>
    public string? ModelFile { get; init; }

    /// <summary>The start pose (rad): elbow bent, tool pointing down, end effector at ≈ (0.565, 0, 0.336) m (as reach).</summary>
    public double[] HomePose { get; init; } = [0, 0.5, 0, -1.5, 0, 1.14, 0];

    /// <summary>Each start angle is the home pose plus U(−InitialNoise, InitialNoise) rad.</summary>
    public double InitialNoise { get; init; } = 0.05;

    /// <summary>Action ±1 commands ± ActionScale × the joint's maximum speed (as reach).</summary>
    public double ActionScale { get; init; } = 0.25;

    /// <summary>Control rate (Hz); the model's timestep must divide its period. Default 20 Hz (25 steps of 2 ms).</summary>
    public double ControlRate { get; init; } = 20;

    /// <summary>Control steps per episode before truncation.</summary>
    public abstract int MaxEpisodeSteps { get; init; }

    /// <summary>Whether every command passes a <see cref="Safety.SafetyFilter"/> (in simulation as on hardware).</summary>
    public bool SafetyEnabled { get; init; } = true;

    /// <summary>Safety margin (rad) kept inside each joint's range by the filter.</summary>
    public double SafetyJointMargin { get; init; } = 0.05;

    /// <summary>The end-effector box the filter keeps the arm inside (m, base frame).</summary>
    public Vec3 WorkspaceMin { get; init; } = new(0.10, -0.60, 0.02);

    /// <inheritdoc cref="WorkspaceMin"/>
    public Vec3 WorkspaceMax { get; init; } = new(0.95, 0.60, 1.00);

    /// <summary>What the filter does at the box: stop (default) or slide along it (see <see cref="Safety.WorkspaceRule"/>;
    /// sliding cut pick-place's interventions from 75% to 45% of steps but did not help learning: see README).</summary>
    public Safety.WorkspaceRule WorkspaceRule { get; init; } = Safety.WorkspaceRule.Stop;

    /// <summary>Positions in the observation are (p − ObservationCenter) / PositionScale.</summary>
    public Vec3 ObservationCenter { get; init; } = new(0.55, 0, 0.35);

    /// <summary>Position scale of the observation (m).</summary>
    public double PositionScale { get; init; } = 0.25;

    /// <summary>Velocity scale of the observation (m/s).</summary>
    public double VelocityScale { get; init; } = 0.5;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad field.</summary>
    public virtual void Validate()
    {
        string type = GetType().Name;
        ArgumentNullException.ThrowIfNull(Model, nameof(Model));
        ArgumentNullException.ThrowIfNull(HomePose, nameof(HomePose));
        Model.Validate();
        if (HomePose.Length != Model.DegreesOfFreedom)
            throw new ArgumentException($"{type}.HomePose has {HomePose.Length} angles; the arm has {Model.DegreesOfFreedom} joints.");
        NonNegative(InitialNoise, nameof(InitialNoise));
        for (int i = 0; i < HomePose.Length; i++)
            if (!(HomePose[i] - InitialNoise >= Model.LowerLimits[i] && HomePose[i] + InitialNoise <= Model.UpperLimits[i]))
                throw new ArgumentException($"{type}.HomePose[{i}] = {HomePose[i]} ± InitialNoise {InitialNoise} leaves joint {i}'s limits.");
        Positive(ActionScale, nameof(ActionScale));
        Positive(ControlRate, nameof(ControlRate));
        if (MaxEpisodeSteps <= 0) throw new ArgumentException($"{type}.MaxEpisodeSteps = {MaxEpisodeSteps}: must be positive.");
        NonNegative(SafetyJointMargin, nameof(SafetyJointMargin));
        Positive(PositionScale, nameof(PositionScale));
        Positive(VelocityScale, nameof(VelocityScale));
        if (!double.IsFinite(ObservationCenter.LengthSquared))
            throw new ArgumentException($"{type}.ObservationCenter = {ObservationCenter}: must be finite.");
    }

    /// <summary>Throws unless <paramref name="value"/> is positive and finite.</summary>
    protected void Positive(double value, string name)
    {
        if (!(value > 0) || !double.IsFinite(value))
            throw new ArgumentException($"{GetType().Name}.{name} = {value}: must be positive and finite.");
    }

    /// <summary>Throws unless <paramref name="value"/> is ≥ 0 and finite.</summary>
    protected void NonNegative(double value, string name)
    {
        if (!(value >= 0) || !double.IsFinite(value))
            throw new ArgumentException($"{GetType().Name}.{name} = {value}: must be ≥ 0 and finite.");
    }
}

using NafNative.Sim.Arm;

namespace NafNative.Sim.Tasks;

/// <summary>Settings of <see cref="ReachTask"/>; the defaults are the documented task.</summary>
public sealed record ReachOptions
{
    /// <summary>The arm. Default <see cref="ArmModel.Iiwa14"/>.</summary>
    public ArmModel Model { get; init; } = ArmModel.Iiwa14();

    /// <summary>Physics step, control rate (20 Hz) and integrator. Default: 2 ms semi-implicit Euler, 25 steps per action.</summary>
    public ArmSimulatorOptions Simulator { get; init; } = new();

    /// <summary>The start pose (rad): elbow bent, tool pointing down, end effector at ≈ (0.565, 0, 0.336) m.</summary>
    public double[] HomePose { get; init; } = [0, 0.5, 0, -1.5, 0, 1.14, 0];

    /// <summary>Each start angle is the home pose plus U(−InitialNoise, InitialNoise) rad; start velocities are zero.</summary>
    public double InitialNoise { get; init; } = 0.05;

    /// <summary>Centre of the target box (m), in front of the robot.</summary>
    public Vec3 TargetCenter { get; init; } = new(0.55, 0, 0.35);

    /// <summary>Half-sizes of the target box (m): targets are uniform in centre ± these, i.e. x 0.40–0.70, y −0.20–0.20,
    /// z 0.20–0.50 m by default, all reachable (a test drives a Jacobian controller to every corner).</summary>
    public Vec3 TargetHalfExtents { get; init; } = new(0.15, 0.20, 0.15);

    /// <summary>Action ±1 commands ± ActionScale × the joint's maximum speed. Default 0.25: 21–34 °/s, about 0.5 m/s at the
    /// end effector with every joint moving.</summary>
    public double ActionScale { get; init; } = 0.25;

    /// <summary>Control steps per episode before truncation. Default 100 (5 s at 20 Hz).</summary>
    public int MaxEpisodeSteps { get; init; } = 100;

    /// <summary>Success radius (m): the end effector within it of the target at the episode's end. Default 0.05.</summary>
    public double SuccessRadius { get; init; } = 0.05;

    /// <summary>Radius (m) of the bonus near the goal. Default 0.05.</summary>
    public double BonusRadius { get; init; } = 0.05;

    /// <summary>Bonus at distance 0; falls linearly to 0 at <see cref="BonusRadius"/>. Default 0.25.</summary>
    public double BonusWeight { get; init; } = 0.25;

    /// <summary>Positions in the observation are (p − TargetCenter) / PositionScale. Default 0.25 m.</summary>
    public double PositionScale { get; init; } = 0.25;

    /// <summary>The end-effector velocity in the observation is v / VelocityScale. Default 0.5 m/s.</summary>
    public double VelocityScale { get; init; } = 0.5;

    /// <summary>Whether every command passes a <see cref="Safety.SafetyFilter"/> (DESIGN: in simulation as on hardware).
    /// With it, a NaN/∞ action becomes a zero-velocity command and a counted fault; without it, it throws.</summary>
    public bool SafetyEnabled { get; init; } = true;

    /// <summary>Safety margin (rad) kept inside each joint's range by the filter. Default 0.05.</summary>
    public double SafetyJointMargin { get; init; } = 0.05;

    /// <summary>The end-effector box the filter keeps the arm inside (m, base frame): x 0.10–0.95, y ±0.60,
    /// z 0.02–1.00 by default — in front of and above the table, clear of the robot's own base column.</summary>
    public Vec3 WorkspaceMin { get; init; } = new(0.10, -0.60, 0.02);

    /// <inheritdoc cref="WorkspaceMin"/>
    public Vec3 WorkspaceMax { get; init; } = new(0.95, 0.60, 1.00);

    /// <summary>What the filter does at the box: stop (default) or slide along it (see <see cref="Safety.WorkspaceRule"/>;
    /// sliding cut pick-place's interventions from 75% to 45% of steps but did not help learning: see README).</summary>
    public Safety.WorkspaceRule WorkspaceRule { get; init; } = Safety.WorkspaceRule.Stop;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad field.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Model, nameof(Model));
        ArgumentNullException.ThrowIfNull(Simulator, nameof(Simulator));
        ArgumentNullException.ThrowIfNull(HomePose, nameof(HomePose));
        Model.Validate();
        Simulator.Validate();
        if (!(InitialNoise >= 0) || !double.IsFinite(InitialNoise))
            throw new ArgumentException($"ReachOptions.InitialNoise = {InitialNoise}: must be ≥ 0 and finite.");
        if (HomePose.Length != Model.DegreesOfFreedom)
            throw new ArgumentException($"ReachOptions.HomePose has {HomePose.Length} angles; the arm has {Model.DegreesOfFreedom} joints.");
        for (int i = 0; i < HomePose.Length; i++)
            if (!(HomePose[i] - InitialNoise >= Model.LowerLimits[i] && HomePose[i] + InitialNoise <= Model.UpperLimits[i]))
                throw new ArgumentException($"ReachOptions.HomePose[{i}] = {HomePose[i]} ± InitialNoise {InitialNoise} leaves joint {i}'s limits.");
        if (!(TargetHalfExtents.X >= 0 && TargetHalfExtents.Y >= 0 && TargetHalfExtents.Z >= 0))
            throw new ArgumentException($"ReachOptions.TargetHalfExtents = {TargetHalfExtents}: must be ≥ 0 and finite.");
        if (!double.IsFinite(TargetCenter.LengthSquared) || !double.IsFinite(TargetHalfExtents.LengthSquared))
            throw new ArgumentException("ReachOptions.TargetCenter and TargetHalfExtents must be finite.");
        Positive(ActionScale, nameof(ActionScale));
        if (MaxEpisodeSteps <= 0) throw new ArgumentException($"ReachOptions.MaxEpisodeSteps = {MaxEpisodeSteps}: must be positive.");
        Positive(SuccessRadius, nameof(SuccessRadius));
        Positive(BonusRadius, nameof(BonusRadius));
        if (!(BonusWeight >= 0) || !double.IsFinite(BonusWeight)) throw new ArgumentException($"ReachOptions.BonusWeight = {BonusWeight}: must be ≥ 0.");
        Positive(PositionScale, nameof(PositionScale));
        Positive(VelocityScale, nameof(VelocityScale));

        static void Positive(double value, string name)
        {
            if (!(value > 0) || !double.IsFinite(value)) throw new ArgumentException($"ReachOptions.{name} = {value}: must be positive and finite.");
        }
    }
}

using NafNative.Sim.Arm;

namespace NafNative.Sim.Tasks;

/// <summary>Settings of <see cref="PickPlaceTask"/>; the defaults are the documented task.</summary>
public sealed record PickPlaceOptions : MujocoArmOptions
{
    public PickPlaceOptions()
    {
        // The fingertips must reach the floor the cube stands on.
        WorkspaceMin = new Vec3(0.10, -0.60, 0.0);
    }

    /// <summary>200 control steps (10 s at 20 Hz).</summary>
    public override int MaxEpisodeSteps { get; init; } = 200;

    /// <summary>The cube's edge (m): it decides when the fingers hold it (see <see cref="PickPlaceTask.Holding"/>) and must
    /// match the model's cube (<see cref="CubeVariant"/> writes both). Default 0.04.</summary>
    public double CubeSize { get; init; } = 0.04;

    /// <summary>The cube starts on the floor at a uniform (x, y) in centre ± half extents: x 0.45–0.65, y −0.15–0.15 m.</summary>
    public Vec3 CubeCenter { get; init; } = new(0.55, 0, 0.02);

    /// <inheritdoc cref="CubeCenter"/>
    public Vec3 CubeHalfExtents { get; init; } = new(0.10, 0.15, 0);

    /// <summary>The goal is uniform in centre ± half extents: x 0.45–0.65, y −0.15–0.15, z 0.10–0.25 m (in the air, so
    /// the cube must be lifted, not pushed).</summary>
    public Vec3 GoalCenter { get; init; } = new(0.55, 0, 0.175);

    /// <inheritdoc cref="GoalCenter"/>
    public Vec3 GoalHalfExtents { get; init; } = new(0.10, 0.15, 0.075);

    /// <summary>Success: the cube's centre within this distance (m) of the goal at the episode's end. Default 0.05.</summary>
    public double SuccessRadius { get; init; } = 0.05;

    /// <summary>Reward: r = −GraspWeight·d_grasp + GraspBonusWeight·max(0, 1 − d_grasp/GraspBonusRadius)
    /// + HoldBonusWeight·[held] − GoalWeight·d_goal + BonusWeight·max(0, 1 − d_goal/SuccessRadius), with
    /// d_grasp = ‖p_grasp − p_cube‖ (p_grasp: the point between the fingers where a held cube's centre sits),
    /// d_goal = ‖p_cube − g‖, and held = the cube within 3 cm of p_grasp with both fingers closed on it (each opening
    /// below 3 cm: a 4 cm cube stops them at 2 cm). The grasp bonus pays for getting the cube between the fingers,
    /// which closed fingers cannot (their tips stop on its top, 4 cm above its centre): without it a 6-minute run
    /// (1.75M steps) never left −100 per episode. The hold bonus pays for closing on it: without it a run settled
    /// at −30 per episode hovering with open fingers around the cube.</summary>
    public double GraspWeight { get; init; } = 1;

    /// <inheritdoc cref="GraspWeight"/>
    public double GraspBonusWeight { get; init; } = 0.5;

    /// <inheritdoc cref="GraspWeight"/>
    public double GraspBonusRadius { get; init; } = 0.04;

    /// <inheritdoc cref="GraspWeight"/>
    public double HoldBonusWeight { get; init; } = 0.5;

    /// <inheritdoc cref="GraspWeight"/>
    public double GoalWeight { get; init; } = 2;

    /// <inheritdoc cref="GraspWeight"/>
    public double BonusWeight { get; init; } = 0.5;

    public override void Validate()
    {
        base.Validate();
        Positive(SuccessRadius, nameof(SuccessRadius));
        Positive(CubeSize, nameof(CubeSize));
        Positive(GraspBonusRadius, nameof(GraspBonusRadius));
        foreach (var (v, name) in new[] { (CubeCenter, nameof(CubeCenter)), (CubeHalfExtents, nameof(CubeHalfExtents)),
                     (GoalCenter, nameof(GoalCenter)), (GoalHalfExtents, nameof(GoalHalfExtents)) })
            if (!double.IsFinite(v.LengthSquared) || (name.EndsWith("HalfExtents") && (v.X < 0 || v.Y < 0 || v.Z < 0)))
                throw new ArgumentException($"PickPlaceOptions.{name} = {v}: must be finite (half extents ≥ 0).");
        NonNegative(GraspWeight, nameof(GraspWeight));
        NonNegative(GraspBonusWeight, nameof(GraspBonusWeight));
        NonNegative(HoldBonusWeight, nameof(HoldBonusWeight));
        NonNegative(GoalWeight, nameof(GoalWeight));
        NonNegative(BonusWeight, nameof(BonusWeight));
    }
}

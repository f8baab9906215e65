namespace NafNative.Sim.Tasks;

/// <summary>Which way the door opens, and so what the arm must do after turning the handle.</summary>
public enum DoorDirection
{
    /// <summary>Away from the robot: press the lever down, then push (door_push.xml).</summary>
    Push,

    /// <summary>Toward the robot: press the lever down, then pull it back (door_pull.xml).</summary>
    Pull,
}

/// <summary>Settings of <see cref="DoorTask"/>; the defaults are the documented task.</summary>
public sealed record DoorOptions : MujocoArmOptions
{
    /// <summary>Push or pull. Default push.</summary>
    public DoorDirection Direction { get; init; } = DoorDirection.Push;

    /// <summary>150 control steps (7.5 s at 20 Hz).</summary>
    public override int MaxEpisodeSteps { get; init; } = 150;

    /// <summary>The handle angle (rad, lever pressed down) beyond which the latch lets go. Default 0.5 rad: the
    /// lever's tip 10 cm from its axis drops ≈ 5 cm.</summary>
    public double HandleReleaseAngle { get; init; } = 0.5;

    /// <summary>The latch: a torsional spring (N·m/rad) and damper (N·m·s/rad) holding the door shut while engaged.
    /// It engages when the door is within <see cref="LatchEngageAngle"/> of shut with the handle up, and lets go when the
    /// handle passes <see cref="HandleReleaseAngle"/>.</summary>
    public double LatchStiffness { get; init; } = 10000;

    /// <inheritdoc cref="LatchStiffness"/>
    public double LatchDamping { get; init; } = 100;

    /// <summary>Door angle (rad) within which a latch can engage. Default 0.01.</summary>
    public double LatchEngageAngle { get; init; } = 0.01;

    /// <summary>Success: the door opened at least this far (rad) at the episode's end. Default 0.3 rad (17°): the
    /// free edge 0.55 m from the hinge has moved 16 cm.</summary>
    public double SuccessAngle { get; init; } = 0.3;

    /// <summary>Reward weights: r = −DistanceWeight·‖p_ee − p_grip‖ + HandleWeight·min(1, φ/φ_release) +
    /// DoorWeight·θ_open, with θ_open the opening angle (rad, ≥ 0). Defaults 1, 0.25, 1 keep |r| ≲ 1.5 per step, the
    /// scale of reach's rewards: with DoorWeight 5 returns reached ~750 and training diverged after ~1.4M updates.</summary>
    public double DistanceWeight { get; init; } = 1;

    /// <inheritdoc cref="DistanceWeight"/>
    public double HandleWeight { get; init; } = 0.25;

    /// <inheritdoc cref="DistanceWeight"/>
    public double DoorWeight { get; init; } = 1;

    public override void Validate()
    {
        base.Validate();
        if (!Enum.IsDefined(Direction)) throw new ArgumentException($"DoorOptions.Direction = {(int)Direction}: not push or pull.");
        Positive(HandleReleaseAngle, nameof(HandleReleaseAngle));
        Positive(LatchStiffness, nameof(LatchStiffness));
        Positive(LatchEngageAngle, nameof(LatchEngageAngle));
        Positive(SuccessAngle, nameof(SuccessAngle));
        NonNegative(LatchDamping, nameof(LatchDamping));
        NonNegative(DistanceWeight, nameof(DistanceWeight));
        NonNegative(HandleWeight, nameof(HandleWeight));
        NonNegative(DoorWeight, nameof(DoorWeight));
    }
}

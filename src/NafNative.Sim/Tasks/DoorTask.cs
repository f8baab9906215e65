using NafNative.Sim.Arm;
using NafNative.Sim.Mujoco;

namespace NafNative.Sim.Tasks;

/// <summary>The original work's door opening on MuJoCo 2.2.2: reach the lever handle, press it down to release the
/// latch, then push (or pull) the door open.</summary>
/// <remarks>
/// <para>Model: door_push.xml / door_pull.xml (the door, 0.55 × 0.90 m, 5 kg, hinged at y = +0.30 m with its front face
/// 0.70 m in front of the robot; a 10 cm lever handle on an 8 cm spindle, 0.40 m up, spring-returned), with the arm of
/// iiwa14_gripper.xml, fingers closed. Figures below are <see cref="DoorOptions"/> defaults.</para>
/// <para><b>Latch</b> (applied here every physics step): while engaged, a torsional spring-damper
/// (10,000 N·m/rad, 100 N·m·s/rad: the arm pushing the panel with ~100 N deflects it ≈ 0.002 rad) holds the door at 0; it lets go once the handle is pressed past 0.5 rad and
/// engages again only when the door is back within 0.01 rad of shut with the handle released.</para>
/// <para><b>Episode</b>: arm at reach's home pose + U(±0.05) rad per joint (from the seed), door shut and latched,
/// handle up; 150 steps (7.5 s); never terminates early (except a MuJoCo instability, see
/// <see cref="MujocoArmTask"/>).</para>
/// <para><b>Action</b> (7): joint velocity commands as reach's (a × 0.25 × max speed), through the safety filter.</para>
/// <para><b>Observation</b> (28): the common 23 (<see cref="MujocoArmTask"/>) with the target = the handle's grip
/// point (on the lever, near its tip), then [23] door opening angle θ_open (rad, positive = open in this door's
/// direction), [24] its rate (rad/s), [25] handle angle / release angle, [26] handle rate (rad/s), [27] latch engaged
/// (1) or not (0).</para>
/// <para><b>Reward</b>: −‖p_ee − p_grip‖ + 0.25·min(1, φ/0.5) + θ_open. <b>Success</b>: θ_open ≥ 0.3 rad at the
/// episode's end.</para>
/// </remarks>
public sealed class DoorTask : MujocoArmTask
{
    private readonly DoorOptions _options;
    private readonly int _doorQpos, _doorDof, _handleQpos, _handleDof, _gripSite;
    private readonly double _openSign;
    private bool _latched;

    public DoorTask(DoorOptions? options = null)
        : base(options ??= new DoorOptions(), options.Direction == DoorDirection.Push ? "door_push.xml" : "door_pull.xml",
            extraObservations: 5, gripperAction: false)
    {
        _options = options;
        _doorQpos = ModelHandle.JointPositionAddress("door_hinge");
        _doorDof = ModelHandle.JointVelocityAddress("door_hinge");
        _handleQpos = ModelHandle.JointPositionAddress("handle_hinge");
        _handleDof = ModelHandle.JointVelocityAddress("handle_hinge");
        _gripSite = ModelHandle.Id(MujocoObject.Site, "handle_grip");
        _openSign = options.Direction == DoorDirection.Push ? 1 : -1;
    }

    public override string Name => _options.Direction == DoorDirection.Push ? "door-push" : "door-pull";

    public DoorOptions Options => _options;

    /// <summary>How far the door is open (rad, in its opening direction; ≥ 0 up to solver slack).</summary>
    public double OpeningAngle => _openSign * Simulation.Qpos[_doorQpos];

    /// <summary>The handle's angle (rad; positive = lever pressed down).</summary>
    public double HandleAngle => Simulation.Qpos[_handleQpos];

    /// <summary>Whether the latch holds the door now.</summary>
    public bool Latched => _latched;

    /// <summary>The handle's grip point (world, m): the observation's target.</summary>
    public override Vec3 TargetPosition => Simulation.SitePosition(_gripSite);

    /// <summary>Distance (m) from the end effector to the grip point.</summary>
    public double HandleDistance => Vec3.Distance(EndEffectorPosition, TargetPosition);

    public override bool IsSuccess => OpeningAngle >= _options.SuccessAngle;

    /// <summary>The reward at end-effector–grip distance <paramref name="distance"/> (m), handle angle φ and opening
    /// angle θ (rad).</summary>
    public double RewardAt(double distance, double handleAngle, double openingAngle) =>
        -_options.DistanceWeight * distance
        + _options.HandleWeight * Math.Clamp(handleAngle / _options.HandleReleaseAngle, 0, 1)
        + _options.DoorWeight * Math.Max(0, openingAngle);

    // The door stays where it is (shut, handle up) unless a test arranged otherwise.
    private protected override void OnReset(ref SimRandom random)
    {
    }

    private protected override void OnEpisodeStart() =>
        _latched = Math.Abs(Simulation.Qpos[_doorQpos]) < _options.LatchEngageAngle && HandleAngle < _options.HandleReleaseAngle;

    private protected override void OnSubstep()
    {
        ReadOnlySpan<double> qpos = Simulation.Qpos;
        double door = qpos[_doorQpos], handle = qpos[_handleQpos];
        if (_latched && handle >= _options.HandleReleaseAngle) _latched = false;
        else if (!_latched && Math.Abs(door) < _options.LatchEngageAngle && handle < _options.HandleReleaseAngle) _latched = true;
        Simulation.QfrcApplied[_doorDof] = _latched
            ? -_options.LatchStiffness * door - _options.LatchDamping * Simulation.Qvel[_doorDof]
            : 0;
    }

    private protected override double ComputeReward() => RewardAt(HandleDistance, HandleAngle, OpeningAngle);

    private protected override void WriteExtras(Span<float> extras)
    {
        ReadOnlySpan<double> qvel = Simulation.Qvel;
        extras[0] = (float)OpeningAngle;
        extras[1] = (float)(_openSign * qvel[_doorDof]);
        extras[2] = (float)(HandleAngle / _options.HandleReleaseAngle);
        extras[3] = (float)qvel[_handleDof];
        extras[4] = _latched ? 1 : 0;
    }
}

using NafNative.Environments;
using NafNative.Sim.Arm;
using NafNative.Sim.Mujoco;

namespace NafNative.Sim.Tasks;

/// <summary>The original work's pick and place on MuJoCo 2.2.2: grasp a cube from the floor with the two-finger
/// gripper and hold it at a goal point in the air.</summary>
/// <remarks>
/// <para>Model: pick_place.xml (a 4 cm, 100 g cube, friction 1.5, on the floor) with the arm and gripper of
/// iiwa14_gripper.xml. Figures below are <see cref="PickPlaceOptions"/> defaults.</para>
/// <para><b>Episode</b>: arm at reach's home pose + U(±0.05) rad per joint, fingers closed; cube on the floor at a
/// uniform (x, y) in x 0.45–0.65, y −0.15–0.15 m; goal uniform in x 0.45–0.65, y −0.15–0.15, z 0.10–0.25 m; all
/// from the seed. 200 steps (10 s); never terminates early (except a MuJoCo instability).</para>
/// <para><b>Action</b> (8): [0, 7) joint velocity commands as reach's, through the safety filter (workspace floor
/// z ≥ 0); [7] gripper: a ∈ [−1, 1] servos each finger to an opening of 0.04·clamp(a + 1, 0, 1) m: a ≥ 0 fully open
/// (8 cm between the fingers), −1 closed, so an untrained policy starts open and a &lt; −0.5 squeezes the 4 cm cube.</para>
/// <para><b>Observation</b> (31): the common 23 (<see cref="MujocoArmTask"/>) with the target = the goal, then
/// [23, 26) cube position (scaled like every position), [26, 29) cube velocity / 0.5 m/s, [29, 31) left and right
/// finger openings / 0.04 m.</para>
/// <para><b>Reward</b>: −d_grasp + 0.5·max(0, 1 − d_grasp/0.04) + 0.5·[held] − 2·d_goal + 0.5·max(0, 1 − d_goal/0.05),
/// with d_grasp = ‖p_grasp − p_cube‖, d_goal = ‖p_cube − g‖ and held = <see cref="Holding"/>.
/// <b>Success</b>: ‖p_cube − g‖ &lt; 0.05 m at the episode's end.</para>
/// </remarks>
public sealed class PickPlaceTask : MujocoArmTask
{
    private readonly PickPlaceOptions _options;
    private readonly int _cubeQpos, _cubeDof, _fingerLeftQpos, _fingerRightQpos, _graspSite, _cubeBody;
    private Vec3 _goal;
    private PickPlaceGoals? _goals;

    public PickPlaceTask(PickPlaceOptions? options = null)
        : base(options ??= new PickPlaceOptions(), "pick_place.xml", extraObservations: 8, gripperAction: true)
    {
        _options = options;
        _cubeQpos = ModelHandle.JointPositionAddress("cube_free");
        _cubeDof = ModelHandle.JointVelocityAddress("cube_free");
        _fingerLeftQpos = ModelHandle.JointPositionAddress("finger_left");
        _fingerRightQpos = ModelHandle.JointPositionAddress("finger_right");
        _graspSite = ModelHandle.Id(MujocoObject.Site, "grasp");
        _cubeBody = ModelHandle.Id(MujocoObject.Body, "cube");
    }

    public override string Name => "pick-place";

    /// <summary>The goal is the target slot, the cube's position the achieved goal (see <see cref="PickPlaceGoals"/>).</summary>
    public override IGoalRelabeling? GoalRelabeling => _goals ??= new PickPlaceGoals(_options);

    public PickPlaceOptions Options => _options;

    /// <summary>The goal (world, m): the observation's target.</summary>
    public override Vec3 TargetPosition => _goal;

    /// <summary>The cube's centre (world, m).</summary>
    public Vec3 CubePosition
    {
        get
        {
            ReadOnlySpan<double> x = Simulation.BodyPositions.Slice(3 * _cubeBody, 3);
            return new Vec3(x[0], x[1], x[2]);
        }
    }

    /// <summary>The point between the fingers where a held cube's centre sits (world, m).</summary>
    public Vec3 GraspPoint => Simulation.SitePosition(_graspSite);

    public override bool IsSuccess => Vec3.Distance(CubePosition, _goal) < _options.SuccessRadius;

    /// <summary>Whether the fingers hold the cube now: its centre within 3 cm of the grasp point and both fingers
    /// closed on it (each opening below half the cube's edge + 1 cm: the default 4 cm cube stops them at 2 cm, so
    /// below 3 cm).</summary>
    public bool Holding
    {
        get
        {
            ReadOnlySpan<double> qpos = Simulation.Qpos;
            double closed = _options.CubeSize / 2 + 0.01;
            return Vec3.Distance(GraspPoint, CubePosition) < 0.03 && qpos[_fingerLeftQpos] < closed && qpos[_fingerRightQpos] < closed;
        }
    }

    /// <summary>The reward for grasp–cube distance <paramref name="graspDistance"/>, cube–goal distance
    /// <paramref name="goalDistance"/> (m) and whether the cube is held.</summary>
    public double RewardAt(double graspDistance, double goalDistance, bool holding) =>
        -_options.GraspWeight * graspDistance
        + _options.GraspBonusWeight * Math.Max(0, 1 - graspDistance / _options.GraspBonusRadius)
        + (holding ? _options.HoldBonusWeight : 0)
        - _options.GoalWeight * goalDistance
        + _options.BonusWeight * Math.Max(0, 1 - goalDistance / _options.SuccessRadius);

    /// <summary>Sets the goal for the running episode (hand-built states in tests).</summary>
    public void SetGoal(Vec3 goal)
    {
        if (!double.IsFinite(goal.LengthSquared)) throw new ArgumentException($"PickPlaceTask.SetGoal: goal {goal} is not finite.", nameof(goal));
        _goal = goal;
    }

    private protected override void OnReset(ref SimRandom random)
    {
        Vec3 c = _options.CubeCenter, e = _options.CubeHalfExtents;
        Span<double> qpos = Simulation.Qpos;
        qpos[_cubeQpos] = random.Uniform(c.X - e.X, c.X + e.X);
        qpos[_cubeQpos + 1] = random.Uniform(c.Y - e.Y, c.Y + e.Y);
        qpos[_cubeQpos + 2] = c.Z;
        qpos[_cubeQpos + 3] = 1; // identity quaternion w, x, y, z
        qpos[_cubeQpos + 4] = qpos[_cubeQpos + 5] = qpos[_cubeQpos + 6] = 0;
        Vec3 g = _options.GoalCenter, h = _options.GoalHalfExtents;
        double x = random.Uniform(g.X - h.X, g.X + h.X);
        double y = random.Uniform(g.Y - h.Y, g.Y + h.Y);
        double z = random.Uniform(g.Z - h.Z, g.Z + h.Z);
        _goal = new Vec3(x, y, z);
    }

    private protected override double ComputeReward() =>
        RewardAt(Vec3.Distance(GraspPoint, CubePosition), Vec3.Distance(CubePosition, _goal), Holding);

    private protected override void WriteExtras(Span<float> extras)
    {
        ReadOnlySpan<double> qpos = Simulation.Qpos, qvel = Simulation.Qvel;
        WritePosition(extras[..3], CubePosition);
        (new Vec3(qvel[_cubeDof], qvel[_cubeDof + 1], qvel[_cubeDof + 2]) * (1 / Options.VelocityScale)).CopyTo(extras.Slice(3, 3));
        extras[6] = (float)(qpos[_fingerLeftQpos] / 0.04);
        extras[7] = (float)(qpos[_fingerRightQpos] / 0.04);
    }
}

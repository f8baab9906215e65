using NafNative.Recording;
using NafNative.Sim.Arm;
using NafNative.Sim.Recording;
using NafNative.Sim.Tasks;
using NafNative.TestSupport;
using NUnit.Framework;

namespace NafNative.Sim.Tests.Mujoco;

/// <summary>What naf record reads from the MuJoCo tasks: the objects' shapes as the MJCF gives them, their poses, the
/// task values, and an arm whose kinematics reproduce MuJoCo's end effector.</summary>
public sealed class MujocoCaptureTests
{
    private static readonly double[] Home = [0, 0.5, 0, -1.5, 0, 1.14, 0];

    [SetUp]
    public void RequireMujoco() => MujocoTestGuard.Require();

    [Test]
    public void DoorPullScene_HasTheDoorPanelHandleAndFingers_NotTheArmLinksOrFloor()
    {
        using var task = new DoorTask(new DoorOptions { Direction = DoorDirection.Pull });
        var scene = new DoorCapture(task).Scene;

        var names = scene.Bodies.Select(b => b.Name).ToArray();
        Assert.That(names, Is.EquivalentTo(new[] { "door", "handle", "finger_left", "finger_right" }));
        var panel = scene.Bodies.Single(b => b.Name == "door").Geoms.Single();
        var handle = scene.Bodies.Single(b => b.Name == "handle").Geoms;
        Assert.Multiple(() =>
        {
            // door_pull.xml: <geom name="door_panel" type="box" pos="0 -0.275 0.50" size="0.02 0.275 0.45" rgba="0.6 0.4 0.2 1"/>
            Assert.That(panel.Type, Is.EqualTo("box"));
            Assert.That(panel.Size, Is.EqualTo(new[] { 0.02f, 0.275f, 0.45f }).Within(1e-6f));
            Assert.That(panel.Position, Is.EqualTo(new[] { 0f, -0.275f, 0.5f }).Within(1e-6f));
            Assert.That(panel.Rgba, Is.EqualTo(new[] { 0.6f, 0.4f, 0.2f, 1f }).Within(1e-6f));
            // Spindle and lever are capsules given by fromto (MuJoCo compiled them to a centre, a half length and an
            // orientation), then the knob sphere.
            Assert.That(handle.Select(g => g.Type), Is.EqualTo(new[] { "capsule", "capsule", "sphere" }));
            Assert.That(handle[1].Size[1], Is.EqualTo(0.05f).Within(1e-6f), "the 10 cm lever's half length");
            Assert.That(handle[1].Position, Is.EqualTo(new[] { 0f, 0.05f, 0f }).Within(1e-6f));
            Assert.That(scene.Values.Select(v => v.Name), Does.Contain("door opening"));
        });
    }

    [Test]
    public void DoorFrame_OpenedDoor_PoseAndValuesFollowTheHinge()
    {
        using var task = new DoorTask(new DoorOptions { Direction = DoorDirection.Pull });
        var capture = new DoorCapture(task);
        var observation = new float[task.ObservationSize];
        int hinge = task.ModelHandle.JointPositionAddress("door_hinge");
        task.ResetTo(Home, observation, sim => sim.Qpos[hinge] = -0.4);

        var frame = capture.Capture(0, 0);
        int door = capture.Scene.Bodies.Select(b => b.Name).ToList().IndexOf("door");
        float[] pose = frame.Bodies[(RecordedFrame.PoseSize * door)..(RecordedFrame.PoseSize * (door + 1))];
        // A rotation of θ about z is the quaternion (cos θ/2, 0, 0, sin θ/2); the hinge sits at (0.72, 0.30, 0).
        Assert.Multiple(() =>
        {
            Assert.That(pose[..3], Is.EqualTo(new[] { 0.72f, 0.30f, 0f }).Within(1e-6f));
            Assert.That(pose[3..], Is.EqualTo(new[] { MathF.Cos(-0.2f), 0, 0, MathF.Sin(-0.2f) }).Within(1e-6f));
            Assert.That(frame.Values[0], Is.EqualTo(0.4f).Within(1e-6f), "door opening (pull: positive toward the robot)");
            Assert.That(frame.Target, Is.EqualTo(ArmDescriptions.Floats(task.TargetPosition)), "the handle's grip point");
        });
    }

    [TestCase("door-push")]
    [TestCase("pick-place")]
    public void Frames_SceneArmKinematicsOnRecordedAngles_LandOnMujocosEndEffector(string name)
    {
        using var task = (NafNative.Sim.Mujoco.MujocoArmTask)TaskCatalog.Create(name, 0);
        var capture = TaskCapture.For(task);
        var arm = capture.Scene.Arm;
        var kinematics = new ArmForwardKinematics(ArmModel.Iiwa14() with
        {
            JointOffsets = arm.JointOffsets.Select(v => new Vec3(v[0], v[1], v[2])).ToArray(),
            JointAxes = arm.JointAxes.Select(v => new Vec3(v[0], v[1], v[2])).ToArray(),
            EndEffectorOffset = new Vec3(arm.EndEffectorOffset[0], arm.EndEffectorOffset[1], arm.EndEffectorOffset[2]),
        });
        var observation = new float[task.ObservationSize];
        var action = new float[task.ActionSize];
        task.Reset(5, observation);
        double worst = 0;
        for (int step = 0; step < 30; step++)
        {
            for (int i = 0; i < action.Length; i++) action[i] = MathF.Sin(0.3f * step + i);
            task.Step(action, observation);
            var frame = capture.Capture(step, 0);
            var p = kinematics.EndEffectorPosition(frame.Joints);
            worst = Math.Max(worst, Vec3.Distance(new Vec3(p.X, p.Y, p.Z), new Vec3(frame.EndEffector[0], frame.EndEffector[1], frame.EndEffector[2])));
        }
        Assert.That(worst, Is.LessThan(1e-5), "m");
    }

    [Test]
    public void PickPlaceFrame_CubePoseIsTheTasksCube_AndTheCubeIsA4cmBox()
    {
        using var task = new PickPlaceTask();
        var capture = new PickPlaceCapture(task);
        var observation = new float[task.ObservationSize];
        task.Reset(7, observation);

        var frame = capture.Capture(0, 0);
        int cube = capture.Scene.Bodies.Select(b => b.Name).ToList().IndexOf("cube");
        Assert.That(cube, Is.GreaterThanOrEqualTo(0), "the cube is a recorded body");
        Assert.Multiple(() =>
        {
            Assert.That(capture.Scene.Bodies[cube].Geoms.Single().Size, Is.EqualTo(new[] { 0.02f, 0.02f, 0.02f }).Within(1e-6f));
            Assert.That(frame.Bodies.AsSpan(RecordedFrame.PoseSize * cube, 3).ToArray(), Is.EqualTo(ArmDescriptions.Floats(task.CubePosition)));
            Assert.That(frame.Target, Is.EqualTo(ArmDescriptions.Floats(task.TargetPosition)), "the goal");
            Assert.That(frame.Values[0], Is.EqualTo((float)Vec3.Distance(task.CubePosition, task.TargetPosition)).Within(1e-6f));
        });
    }
}

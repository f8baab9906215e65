using NafNative.Environments;
using NafNative.Sim.Arm;
using NafNative.Sim.Tasks;
using NafNative.TestSupport;
using NUnit.Framework;

namespace NafNative.Sim.Tests.Mujoco;

public sealed class DoorTaskTests
{
    private static readonly double[] Home = [0, 0.5, 0, -1.5, 0, 1.14, 0];

    [SetUp]
    public void RequireMujoco() => MujocoTestGuard.Require();

    [TestCase(DoorDirection.Push)]
    [TestCase(DoorDirection.Pull)]
    public void ScriptedOpener_OpensTheDoor(DoorDirection direction)
    {
        // The task is solvable with its own actions and limits: press the lever, then push or pull.
        using var task = new DoorTask(new DoorOptions { Direction = direction });
        var script = new DoorScript(task);
        var observation = new float[task.ObservationSize];
        var action = new float[task.ActionSize];
        int successes = 0;
        for (int seed = 0; seed < 5; seed++)
        {
            task.Reset(seed, observation);
            bool released = false;
            StepResult r;
            do
            {
                script.Act(action);
                r = task.Step(action, observation);
                released |= !task.Latched;
            } while (!r.Done);
            TestContext.Out.WriteLine($"seed {seed}: opening {task.OpeningAngle:F3} rad");
            Assert.That(released, Is.True, "the latch let go on the way");
            if (task.IsSuccess) successes++;
        }
        Assert.That(successes, Is.EqualTo(5));
    }

    [Test]
    public void Latch_HoldsTheDoorShutUntilTheHandleTurns()
    {
        // Push the door panel hard without touching the handle: the latch must hold it within a hair of shut.
        using var task = new DoorTask();
        var observation = new float[task.ObservationSize];
        var action = new float[7];
        var velocity = new ArmVelocityCommand(task, task.Options);
        task.Reset(1, observation);
        double widest = 0;
        for (int k = 0; k < task.MaxEpisodeSteps; k++)
        {
            // Aim at a point 10 cm behind the panel's face, between the hinge and the handle.
            Vec3 goal = new(0.80, 0.05, 0.45), ee = task.EndEffectorPosition;
            velocity.Write(4 * (goal - ee), action);
            task.Step(action, observation);
            widest = Math.Max(widest, Math.Abs(task.OpeningAngle));
        }
        Assert.That(task.EndEffectorPosition.X, Is.GreaterThan(0.66), "the arm reached and pressed the panel");
        Assert.That(task.Latched, Is.True);
        Assert.That(widest, Is.LessThan(0.01), "door angle while latched (rad)");
        Assert.That(task.IsSuccess, Is.False);
    }

    [Test]
    public void Reset_SameSeed_SameEpisodeBitForBit()
    {
        using var a = new DoorTask();
        using var b = new DoorTask();
        var oa = new float[a.ObservationSize];
        var ob = new float[b.ObservationSize];
        var random = new Random(7);
        var action = new float[7];
        a.Reset(42, oa);
        b.Reset(42, ob);
        Assert.That(ob, Is.EqualTo(oa));
        for (int k = 0; k < 60; k++)
        {
            for (int i = 0; i < 7; i++) action[i] = (float)(2 * random.NextDouble() - 1);
            var ra = a.Step(action, oa);
            var rb = b.Step(action, ob);
            Assert.That(rb, Is.EqualTo(ra), $"step {k}");
            Assert.That(ob, Is.EqualTo(oa), $"observation after step {k}");
        }
        b.Reset(43, ob);
        a.Reset(42, oa);
        Assert.That(ob, Is.Not.EqualTo(oa), "another seed, another start");
    }

    [Test]
    public void Observation_LayoutMatchesTheDocumentation()
    {
        using var task = new DoorTask();
        var o = new float[task.ObservationSize];
        Assert.That(task.ObservationSize, Is.EqualTo(28));
        Assert.That(task.ActionSize, Is.EqualTo(7));
        task.Reset(3, o);
        var c = task.Options.ObservationCenter;
        double s = task.Options.PositionScale;
        for (int i = 0; i < 7; i++)
        {
            Assert.That(o[i], Is.EqualTo((float)task.JointAngle(i)), $"joint angle {i}");
            Assert.That(Math.Abs(task.JointAngle(i) - Home[i]), Is.LessThanOrEqualTo(0.05), $"start angle {i} within the noise");
            Assert.That(o[7 + i], Is.Zero, $"start velocity {i}");
        }
        AssertPosition(o, 14, task.EndEffectorPosition, c, s);
        AssertPosition(o, 20, task.TargetPosition, c, s);
        Assert.That(o[23], Is.EqualTo(0).Within(1e-3), "opening angle");
        Assert.That(o[25], Is.EqualTo(0).Within(0.05), "handle angle / release");
        Assert.That(o[27], Is.EqualTo(1), "latched");

        // Bounded under random actions over a whole episode.
        var random = new Random(1);
        var action = new float[7];
        StepResult r;
        do
        {
            for (int i = 0; i < 7; i++) action[i] = (float)(2 * random.NextDouble() - 1);
            r = task.Step(action, o);
            foreach (float v in o) Assert.That(float.IsFinite(v) && Math.Abs(v) < 20, Is.True, $"observation entry {v}");
            Assert.That(float.IsFinite(r.Reward), Is.True);
        } while (!r.Done);
        Assert.That(r.Truncated, Is.True);
        Assert.That(task.StepCount, Is.EqualTo(150));
        Assert.That(() => task.Step(action, o), Throws.InvalidOperationException.With.Message.Contains("Reset"));
    }

    [Test]
    public void HandBuiltStates_RewardAndSuccess()
    {
        using var task = new DoorTask();
        var o = new float[task.ObservationSize];
        int door = task.ModelHandle.JointPositionAddress("door_hinge");
        int handle = task.ModelHandle.JointPositionAddress("handle_hinge");

        task.ResetTo(Home, o, sim => sim.Qpos[door] = 0.45);
        Assert.That(task.IsSuccess, Is.True, "open 0.45 rad ≥ 0.3");
        Assert.That(task.Latched, Is.False, "an open door is not latched");
        Assert.That(o[23], Is.EqualTo(0.45f).Within(1e-6));

        task.ResetTo(Home, o, sim => sim.Qpos[door] = 0.2);
        Assert.That(task.IsSuccess, Is.False, "open 0.2 rad < 0.3");

        task.ResetTo(Home, o, sim => sim.Qpos[handle] = 0.25);
        Assert.That(o[25], Is.EqualTo(0.5f).Within(1e-6), "handle half-way to release");
        Assert.That(task.Latched, Is.True);

        // r = −d + 0.25·min(1, φ/0.5) + θ_open
        Assert.That(task.RewardAt(0.1, 0, 0), Is.EqualTo(-0.1).Within(1e-12));
        Assert.That(task.RewardAt(0.0, 0.25, 0), Is.EqualTo(0.125).Within(1e-12));
        Assert.That(task.RewardAt(0.0, 0.9, 0), Is.EqualTo(0.25).Within(1e-12), "handle bonus saturates");
        Assert.That(task.RewardAt(0.05, 0.5, 0.4), Is.EqualTo(-0.05 + 0.25 + 0.4).Within(1e-12));
        Assert.That(task.RewardAt(0.05, 0, -0.01), Is.EqualTo(-0.05).Within(1e-12), "no credit for solver slack past shut");

        // The reward a step returns is RewardAt of the state it reached.
        task.Reset(5, o);
        var step = task.Step(new float[7], o);
        Assert.That(step.Reward, Is.EqualTo((float)task.RewardAt(task.HandleDistance, task.HandleAngle, task.OpeningAngle)));
    }

    /// <summary>A velocity beyond MuJoCo's limit (1e10) makes it warn and reset the state; that step's observation was
    /// teleported, so it must be discarded and the episode truncated, never stored as a terminal (y = r, no bootstrap).</summary>
    [Test]
    public void Step_MujocoResetsUnstableState_DiscardedAndTruncatedNotTerminal()
    {
        using var task = new DoorTask();
        var o = new float[task.ObservationSize];
        task.ResetTo(Home, o, sim => sim.Qvel[0] = 1e12);
        var r = task.Step(new float[task.ActionSize], o);
        Assert.Multiple(() =>
        {
            Assert.That(task.PhysicsResets, Is.EqualTo(1), "MuJoCo reset the state");
            Assert.That(r.Discard, Is.True, "the worker must not store this step");
            Assert.That(r.Terminated, Is.False, "a physics reset is not a terminal state of the task");
            Assert.That(r.Truncated, Is.True);
            Assert.That(r.Done, Is.True);
            Assert.That(() => task.Step(new float[task.ActionSize], o), Throws.InvalidOperationException, "the episode ended");
        });
        task.Reset(1, o);
        var next = task.Step(new float[task.ActionSize], o);
        Assert.That((next.Discard, task.PhysicsResets), Is.EqualTo((false, 1L)), "a stable episode afterwards is not discarded");
    }

    [Test]
    public void NonFiniteAction_StopsTheArmThroughTheSafetyFilter()
    {
        using var task = new DoorTask();
        var o = new float[task.ObservationSize];
        task.Reset(0, o);
        var move = new float[] { 1, 1, 1, 1, 1, 1, 1 };
        for (int k = 0; k < 3; k++) task.Step(move, o);
        var bad = new float[] { float.NaN, 0, float.PositiveInfinity, 0, 0, 0, float.NegativeInfinity };
        var r = task.Step(bad, o);
        Assert.That(r.SafetyIntervened, Is.True);
        Assert.That(task.Safety!.Faults, Is.EqualTo(1));
        for (int k = 0; k < 3; k++) task.Step(bad, o);
        for (int i = 0; i < 7; i++) Assert.That(Math.Abs(task.Simulation.Qvel[i]), Is.LessThan(1e-3), $"joint {i} stopped");
        Assert.That(() => task.Step(new float[6], o), Throws.ArgumentException.With.Message.Contains("ActionSize = 7"));
    }

    [Test]
    public void SafetyFilter_KeepsTheEndEffectorInsideTheWorkspace_AndSlidesAlongTheFloor()
    {
        // Drive down and back, away from the door, at the floor: the workspace floor (z ≥ 0.02 m) must hold under both
        // rules; the stop rule freezes the arm there, the slide rule lets it go on back along the floor.
        var (stopLowest, stopTravel, stop) = DriveIntoTheFloor(Safety.WorkspaceRule.Stop);
        var (slideLowest, slideTravel, slide) = DriveIntoTheFloor(Safety.WorkspaceRule.Slide);
        double floor = new DoorOptions().WorkspaceMin.Z;
        Assert.Multiple(() =>
        {
            Assert.That(stop.WorkspaceStops, Is.GreaterThan(0));
            Assert.That(stop.WorkspaceSlides, Is.Zero);
            Assert.That(slide.WorkspaceSlides, Is.GreaterThan(0));
            Assert.That(stopLowest, Is.GreaterThan(floor - 0.01), "lowest end-effector height (m), stop rule");
            Assert.That(slideLowest, Is.GreaterThan(floor - 0.01), "lowest end-effector height (m), slide rule");
            Assert.That(stopTravel, Is.LessThan(0.01), "horizontal travel (m) over the last 60 steps, stop rule: frozen at the floor");
            Assert.That(slideTravel, Is.GreaterThan(0.1), "horizontal travel (m) over the last 60 steps, slide rule: along the floor");
        });
    }

    private static (double Lowest, double Travel, Safety.SafetyFilter Filter) DriveIntoTheFloor(Safety.WorkspaceRule rule)
    {
        using var task = new DoorTask(new DoorOptions { WorkspaceRule = rule });
        var o = new float[task.ObservationSize];
        var action = new float[7];
        var velocity = new ArmVelocityCommand(task, task.Options);
        task.Reset(2, o);
        double lowest = double.MaxValue, travel = 0;
        Vec3 previous = default;
        for (int k = 0; k < 100; k++)
        {
            velocity.Write(new Vec3(-0.3, 0, -0.5), action);
            task.Step(action, o);
            Vec3 p = task.EndEffectorPosition;
            lowest = Math.Min(lowest, p.Z);
            // The arm meets the floor after ~25 steps; from step 40 on it is there under either rule.
            if (k > 40) travel += Math.Sqrt((p.X - previous.X) * (p.X - previous.X) + (p.Y - previous.Y) * (p.Y - previous.Y));
            previous = p;
        }
        return (lowest, travel, task.Safety!);
    }

    [Test]
    public void Step_AllocatesNothing()
    {
        using var task = new DoorTask();
        var o = new float[task.ObservationSize];
        var action = new float[] { 0.1f, -0.2f, 0.3f, 0.1f, 0, 0.2f, -0.1f };
        task.Reset(0, o);
        task.Step(action, o);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int e = 0; e < 2; e++)
        {
            task.Reset(e, o);
            for (int k = 0; k < 100; k++) task.Step(action, o);
        }
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }

    [Test]
    public void MissingModelFile_SaysWhich()
    {
        Assert.That(() => new DoorTask(new DoorOptions { ModelFile = "/nonexistent/door.xml" }),
            Throws.TypeOf<NafNative.Sim.Mujoco.MujocoException>().With.Message.Contains("/nonexistent/door.xml"));
    }

    [Test]
    public void BadOptions_ThrowNamingTheField()
    {
        Assert.That(() => new DoorTask(new DoorOptions { SuccessAngle = double.NaN }), Throws.ArgumentException.With.Message.Contains("SuccessAngle"));
        Assert.That(() => new DoorTask(new DoorOptions { MaxEpisodeSteps = 0 }), Throws.ArgumentException.With.Message.Contains("MaxEpisodeSteps"));
        Assert.That(() => new DoorTask(new DoorOptions { HomePose = [0, 0, 0] }), Throws.ArgumentException.With.Message.Contains("HomePose"));
        Assert.That(() => new DoorTask(new DoorOptions { ControlRate = 7 }), Throws.ArgumentException.With.Message.Contains("control period"));
        Assert.That(() => new DoorTask(new DoorOptions { DistanceWeight = -1 }), Throws.ArgumentException.With.Message.Contains("DoorOptions.DistanceWeight = -1: must be ≥ 0"));
        Assert.That(() => new DoorTask(new DoorOptions { InitialNoise = double.PositiveInfinity }), Throws.ArgumentException.With.Message.Contains("InitialNoise"));
        Assert.That(() => new PickPlaceTask(new PickPlaceOptions { GoalWeight = double.NaN }), Throws.ArgumentException.With.Message.Contains("PickPlaceOptions.GoalWeight = NaN"));
    }

    internal static void AssertPosition(float[] o, int offset, Vec3 p, Vec3 c, double s)
    {
        Assert.That(o[offset], Is.EqualTo((float)((p.X - c.X) / s)).Within(1e-6));
        Assert.That(o[offset + 1], Is.EqualTo((float)((p.Y - c.Y) / s)).Within(1e-6));
        Assert.That(o[offset + 2], Is.EqualTo((float)((p.Z - c.Z) / s)).Within(1e-6));
    }
}

using NafNative.Environments;
using NafNative.Sim.Arm;
using NafNative.Sim.Tasks;
using NafNative.TestSupport;
using NUnit.Framework;

namespace NafNative.Sim.Tests.Mujoco;

public sealed class PickPlaceTaskTests
{
    private static readonly double[] Home = [0, 0.5, 0, -1.5, 0, 1.14, 0];

    [SetUp]
    public void RequireMujoco() => MujocoTestGuard.Require();

    [Test]
    public void GoalRelabeling_RescoresAnEpisodeExactlyAsTheTaskWouldHavePaidForTheOtherGoal()
    {
        // The goal moves no physics: replaying the same actions with another goal gives the same trajectory, and the
        // task's reward then must equal the relabelled one (and relabelling with the goal it had changes nothing).
        using var task = new PickPlaceTask();
        var goals = task.GoalRelabeling!;
        var random = new Random(3);
        var actions = new float[task.MaxEpisodeSteps][];
        var rewards = new float[task.MaxEpisodeSteps];
        var nexts = new float[task.MaxEpisodeSteps][];
        var o = new float[task.ObservationSize];
        task.Reset(4, o);
        for (int t = 0; t < task.MaxEpisodeSteps; t++)
        {
            actions[t] = [.. Enumerable.Range(0, task.ActionSize).Select(_ => (float)(random.NextDouble() * 2 - 1))];
            rewards[t] = task.Step(actions[t], o).Reward;
            nexts[t] = (float[])o.Clone();
        }
        // A goal 1 cm from where the cube ended, so the near-goal bonus is in play at the end.
        Vec3 other = task.CubePosition + new Vec3(0.01, 0, 0);
        var encoded = new float[3];
        ((other - task.Options.ObservationCenter) * (1 / task.Options.PositionScale)).CopyTo(encoded);

        task.Reset(4, o);
        task.SetGoal(other);
        double worst = 0, worstSame = 0, bonus = 0;
        for (int t = 0; t < task.MaxEpisodeSteps; t++)
        {
            float paid = task.Step(actions[t], o).Reward;
            Assert.That(o.AsSpan(goals.GoalSlice.Offset, 3).ToArray(), Is.EqualTo(encoded).Within(1e-6), "the goal's encoding");
            Assert.That(o.AsSpan(goals.AchievedSlice.Offset, 3).ToArray(), Is.EqualTo(nexts[t].AsSpan(goals.AchievedSlice.Offset, 3).ToArray()), "same trajectory");
            worst = Math.Max(worst, Math.Abs(goals.Relabel(rewards[t], nexts[t], encoded) - paid));
            worstSame = Math.Max(worstSame, Math.Abs(goals.Relabel(rewards[t], nexts[t], nexts[t].AsSpan(goals.GoalSlice.Offset, 3)) - rewards[t]));
            bonus = Math.Max(bonus, paid - rewards[t]);
        }
        Assert.Multiple(() =>
        {
            Assert.That(worst, Is.LessThan(2e-5), "largest |relabelled − paid| over the episode");
            Assert.That(worstSame, Is.LessThan(1e-6), "relabelling with the goal it had");
            Assert.That(bonus, Is.GreaterThan(0.1), "the other goal did change the reward (near-goal bonus)");
        });
    }

    [Test]
    public void TaskCatalog_GoalTasksAreExactlyThoseOfferingRelabeling()
    {
        foreach (string name in new[] { "reach", "door-push", "door-pull", "pick-place", "pendulum" })
        {
            using var env = TaskCatalog.Create(name, 0);
            Assert.That(env.GoalRelabeling is not null, Is.EqualTo(TaskCatalog.HasGoalRelabeling(name)), name);
        }
    }

    [Test]
    public void ScriptedPicker_CarriesTheCubeToTheGoal()
    {
        // Solvable with the task's own actions: open, descend around the cube, close, lift to the goal.
        using var task = new PickPlaceTask();
        Assert.That(PickScriptRuns(task, 5), Is.EqualTo(5));
    }

    /// <summary>Runs <see cref="PickScript"/> on <paramref name="seeds"/> episodes; asserts it held the cube while
    /// carrying it and at the end; returns how many ended at the goal.</summary>
    internal static int PickScriptRuns(PickPlaceTask task, int seeds)
    {
        var observation = new float[task.ObservationSize];
        var action = new float[task.ActionSize];
        var script = new PickScript(task);
        int successes = 0;
        for (int seed = 0; seed < seeds; seed++)
        {
            task.Reset(seed, observation);
            int held = 0;
            StepResult r;
            do
            {
                script.Act(action);
                r = task.Step(action, observation);
                if (script.Carrying && task.Holding) held++;
            } while (!r.Done);
            TestContext.Out.WriteLine($"seed {seed}: cube {task.CubePosition} goal {task.TargetPosition} held {held} steps, grasp-cube {Vec3.Distance(task.GraspPoint, task.CubePosition):F3} m");
            Assert.That(held, Is.GreaterThan(100), $"seed {seed}: steps the cube was held while carried");
            Assert.That(task.Holding, Is.True, $"seed {seed}: still held at the end");
            if (task.IsSuccess) successes++;
        }
        return successes;
    }

    [Test]
    public void Reset_DrawsCubeAndGoalInTheirBoxes_Deterministically()
    {
        using var a = new PickPlaceTask();
        using var b = new PickPlaceTask();
        var oa = new float[a.ObservationSize];
        var ob = new float[b.ObservationSize];
        for (int seed = 0; seed < 20; seed++)
        {
            a.Reset(seed, oa);
            b.Reset(seed, ob);
            Assert.That(ob, Is.EqualTo(oa), $"seed {seed}");
            Vec3 cube = a.CubePosition, goal = a.TargetPosition;
            Assert.That(cube.X, Is.InRange(0.45, 0.65));
            Assert.That(cube.Y, Is.InRange(-0.15, 0.15));
            Assert.That(cube.Z, Is.EqualTo(0.02).Within(1e-9));
            Assert.That(goal.X, Is.InRange(0.45, 0.65));
            Assert.That(goal.Y, Is.InRange(-0.15, 0.15));
            Assert.That(goal.Z, Is.InRange(0.10, 0.25));
        }
        var random = new Random(3);
        var action = new float[8];
        a.Reset(9, oa);
        b.Reset(9, ob);
        for (int k = 0; k < 50; k++)
        {
            for (int i = 0; i < 8; i++) action[i] = (float)(2 * random.NextDouble() - 1);
            Assert.That(b.Step(action, ob), Is.EqualTo(a.Step(action, oa)));
            Assert.That(ob, Is.EqualTo(oa));
        }
    }

    [Test]
    public void Observation_LayoutMatchesTheDocumentation()
    {
        using var task = new PickPlaceTask();
        var o = new float[task.ObservationSize];
        Assert.That(task.ObservationSize, Is.EqualTo(31));
        Assert.That(task.ActionSize, Is.EqualTo(8));
        task.Reset(4, o);
        var c = task.Options.ObservationCenter;
        double s = task.Options.PositionScale;
        DoorTaskTests.AssertPosition(o, 14, task.EndEffectorPosition, c, s);
        DoorTaskTests.AssertPosition(o, 20, task.TargetPosition, c, s);
        DoorTaskTests.AssertPosition(o, 23, task.CubePosition, c, s);
        Assert.That(o[29], Is.EqualTo(0).Within(1e-3), "left finger closed");
        Assert.That(o[30], Is.EqualTo(0).Within(1e-3), "right finger closed");

        // Gripper action +1 opens each finger to 4 cm, −1 closes it.
        var action = new float[8];
        action[7] = 1;
        for (int k = 0; k < 10; k++) task.Step(action, o);
        Assert.That(o[29], Is.EqualTo(1).Within(0.05), "left finger open");
        Assert.That(o[30], Is.EqualTo(1).Within(0.05), "right finger open");
        action[7] = float.NaN; // keeps the last opening, counted as an intervention
        var r = task.Step(action, o);
        Assert.That(r.SafetyIntervened, Is.True);
        Assert.That(task.FingerOpeningCommand, Is.EqualTo(0.04).Within(1e-12));
        action[7] = -1;
        for (int k = 0; k < 10; k++) task.Step(action, o);
        Assert.That(o[29], Is.EqualTo(0).Within(0.05), "left finger closed again");
    }

    [Test]
    public void HandBuiltStates_RewardAndSuccess()
    {
        using var task = new PickPlaceTask();
        var o = new float[task.ObservationSize];
        int cube = task.ModelHandle.JointPositionAddress("cube_free");
        task.Reset(0, o);
        Vec3 goal = task.TargetPosition;
        task.ResetTo(Home, o, sim => { sim.Qpos[cube] = 0.6; sim.Qpos[cube + 1] = 0.1; sim.Qpos[cube + 2] = 0.2; });
        task.SetGoal(new Vec3(0.6, 0.1, 0.23));
        Assert.That(task.IsSuccess, Is.True, "3 cm from the goal");
        task.SetGoal(new Vec3(0.6, 0.1, 0.26));
        Assert.That(task.IsSuccess, Is.False, "6 cm from the goal");
        Assert.That(() => task.SetGoal(new Vec3(double.NaN, 0, 0)), Throws.ArgumentException);

        // r = −d_grasp + 0.5·max(0, 1 − d_grasp/0.04) + 0.5·[held] − 2·d_goal + 0.5·max(0, 1 − d_goal/0.05)
        Assert.That(task.RewardAt(0.1, 0.2, false), Is.EqualTo(-0.5).Within(1e-12));
        Assert.That(task.RewardAt(0, 0, true), Is.EqualTo(1.5).Within(1e-12));
        Assert.That(task.RewardAt(0.02, 0.025, false), Is.EqualTo(-0.02 + 0.25 - 0.05 + 0.25).Within(1e-12));
        _ = goal;
    }

    [Test]
    public void WorkspaceFloor_IsTheFloor()
    {
        var options = new PickPlaceOptions();
        Assert.That(options.WorkspaceMin.Z, Is.Zero, "fingertips may reach the floor the cube stands on");
        Assert.That(new DoorOptions().WorkspaceMin.Z, Is.EqualTo(0.02));
    }
}

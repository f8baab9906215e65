using NafNative.Environments;
using NafNative.Sim.Tasks;
using NUnit.Framework;

namespace NafNative.Sim.Tests.Mujoco;

[TestFixture]
public sealed class DoorTaskTests
{
    [SetUp]
    public void RequireMujoco() => MujocoTestGuard.Require();

    [TestCase(DoorDirection.Push)]
    [TestCase(DoorDirection.Pull)]
    public void ScriptedOpener_OpensTheDoor(DoorDirection direction)
    {
        using var task = new DoorTask(new DoorOptions { Direction = direction });
        var script = new DoorScript(task);
        var observation = new float[task.ObservationSize];
        var action = new float[task.ActionSize];
        int successes = 0;
        for (int seed = 0; seed < 5; seed++)
        {
            task.Reset(seed, observation);
            StepResult r;
            do
            {
                script.Act(action);
                r = task.Step(action, observation);
                if (seed == 0 && task.StepCount % 10 == 0)
                    TestContext.Out.WriteLine($"{task.StepCount}: ee {F(task.EndEffectorPosition)} grip {F(task.TargetPosition)} con {task.Simulation.ContactCount} safety {task.Safety!.WorkspaceStops}/{task.Safety.JointLimitStops} handle {task.HandleAngle:F3} door {task.OpeningAngle:F3} latched {task.Latched} r {r.Reward:F3}");
            } while (!r.Done);
            TestContext.Out.WriteLine($"seed {seed}: opening {task.OpeningAngle:F3} rad, success {task.IsSuccess}");
            if (task.IsSuccess) successes++;
        }
        Assert.That(successes, Is.EqualTo(5));
    }

    private static string F(NafNative.Sim.Arm.Vec3 v) => $"({v.X:F3}, {v.Y:F3}, {v.Z:F3})";
}

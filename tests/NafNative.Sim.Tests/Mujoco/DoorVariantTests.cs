using NafNative.Environments;
using NafNative.Sim.Mujoco;
using NafNative.Sim.Tasks;
using NafNative.TestSupport;
using NUnit.Framework;

namespace NafNative.Sim.Tests.Mujoco;

/// <summary>A door variant changes the model where it says and nowhere else; a suite meets its doors by episode seed
/// (or one per worker); impossible doors are refused naming the field.</summary>
[TestFixture]
public sealed class DoorVariantTests
{
    [SetUp]
    public void RequireMujoco() => MujocoTestGuard.Require();

    [Test]
    public void Variant_MovesTheHandleAndWeighsThePanelAsSpecified()
    {
        var variant = new DoorVariant { Name = "t", Width = 0.60, Mass = 9, HandleHeight = 0.50, LeverLength = 0.12 };
        using var door = new DoorTask(variant.Options());
        using var nominal = new DoorTask();
        var o = new float[door.ObservationSize];
        door.Reset(1, o);
        nominal.Reset(1, new float[nominal.ObservationSize]);

        var grip = door.TargetPosition;
        int body = door.ModelHandle.Id(MujocoObject.Body, "door");
        Assert.Multiple(() =>
        {
            // Hinge at y = +0.30; handle 8 cm in from the free edge; grip 1 cm short of the knob, 3 cm above the lever.
            Assert.That(grip.Y, Is.EqualTo(0.30 - (0.60 - 0.08) + (0.12 - 0.01)).Within(1e-3));
            Assert.That(grip.Z, Is.EqualTo(0.50 + 0.03).Within(1e-3));
            Assert.That(grip.X, Is.EqualTo(nominal.TargetPosition.X).Within(1e-6), "the door's plane is unchanged");
            Assert.That(door.ModelHandle.BodyMass[body], Is.EqualTo(9).Within(1e-9));
            Assert.That(nominal.TargetPosition.Z, Is.EqualTo(0.43).Within(1e-3), "the nominal door is as documented");
        });
    }

    [Test]
    public void Suite_SeedPicksTheDoor_EveryDoorMet_FixedDoorAlwaysTheSame()
    {
        var doors = TaskCatalog.Variants("door-push", "doors-5");
        using var suite = new SuiteEnvironment(doors);
        var o = new float[suite.ObservationSize];
        var met = new HashSet<string>();
        for (int seed = 0; seed < 40; seed++)
        {
            suite.Reset(seed, o);
            met.Add(suite.CurrentVariant.Name);
            Assert.That(suite.CurrentVariant, Is.EqualTo(doors[SuiteEnvironment.VariantFor(seed, doors.Length)]));
        }
        using var fixedDoor = new SuiteEnvironment(doors, fixedVariant: 3);
        for (int seed = 0; seed < 5; seed++)
        {
            fixedDoor.Reset(seed, o);
            Assert.That(fixedDoor.CurrentVariant.Name, Is.EqualTo("high-stiff-handle"));
        }
        Assert.That(met, Has.Count.EqualTo(5), "40 episodes meet all five doors");
    }

    [Test]
    public void Catalog_DoorPullSuite_OpensTowardTheRobot()
    {
        var doors = TaskCatalog.Variants("door-pull", "doors-5").Cast<DoorVariant>();
        Assert.That(doors.Select(d => d.Direction), Is.All.EqualTo(DoorDirection.Pull));
        using var env = TaskCatalog.Create("door-pull", 2, null, 1, new SuiteChoice("doors-5", PerWorker: true));
        env.Reset(0, new float[env.ObservationSize]);
        Assert.That(((SuiteEnvironment)env).CurrentVariant.Name, Is.EqualTo("low-short-lever"), "worker 2 meets door 2");
        Assert.That(((SuiteEnvironment)env).Current.Name, Is.EqualTo("door-pull"));
    }

    [TestCase("width", 0.9)]
    [TestCase("mass", -1.0)]
    public void BadVariant_IsRefusedNamingTheField(string field, double value)
    {
        var variant = field == "width" ? new DoorVariant { Name = "bad", Width = value } : new DoorVariant { Name = "bad", Mass = value };
        var error = Assert.Throws<ArgumentException>(() => variant.Options());
        Assert.That(error!.Message, Does.Contain($"'bad': {field}"));
    }

    [Test]
    public void Suite_MixingPushAndPull_IsRefused()
    {
        DoorVariant[] mixed = [new() { Name = "a" }, new() { Name = "b", Direction = DoorDirection.Pull }];
        var error = Assert.Throws<ArgumentException>(() => new SuiteEnvironment(mixed));
        Assert.That(error!.Message, Does.Contain("b: door-pull"));
    }

    [Test]
    public void RightHinge_MirrorsTheDoor_GripAtMinusY()
    {
        var left = new DoorVariant { Name = "l", Width = 0.60, HandleHeight = 0.45, LeverLength = 0.12 };
        var right = left with { Name = "r", Hinge = HingeSide.Right };
        using var l = new DoorTask(left.Options());
        using var r = new DoorTask(right.Options());
        l.Reset(1, new float[l.ObservationSize]);
        r.Reset(1, new float[r.ObservationSize]);
        Assert.Multiple(() =>
        {
            Assert.That(r.TargetPosition.Y, Is.EqualTo(-l.TargetPosition.Y).Within(1e-9), "the handle's grip mirrored in y = 0");
            Assert.That(r.TargetPosition.X, Is.EqualTo(l.TargetPosition.X).Within(1e-9));
            Assert.That(r.TargetPosition.Z, Is.EqualTo(l.TargetPosition.Z).Within(1e-9));
            Assert.That(r.TargetPosition.Y, Is.EqualTo(-0.30 + (0.60 - 0.08) - (0.12 - 0.01)).Within(1e-3));
        });
    }

    // The mirrored door opens as the task expects: the scripted opener (press the lever down, then push, or hook and
    // pull) opens it on every seed, so the hinge and handle axes keep their meaning (positive = opening the task's
    // way, lever pressed down).
    [TestCase(DoorDirection.Push)]
    [TestCase(DoorDirection.Pull)]
    public void RightHinge_ScriptedOpenerOpensIt(DoorDirection direction)
    {
        var variant = new DoorVariant { Name = "r", Direction = direction, Hinge = HingeSide.Right };
        using var task = new DoorTask(variant.Options());
        var script = new DoorScript(task, HingeSide.Right);
        var observation = new float[task.ObservationSize];
        var action = new float[task.ActionSize];
        int successes = 0;
        for (int seed = 0; seed < 3; seed++)
        {
            task.Reset(seed, observation);
            bool released = false, pressed = false;
            StepResult step;
            do
            {
                script.Act(action);
                step = task.Step(action, observation);
                released |= !task.Latched;
                pressed |= task.HandleAngle > 0.3;
            } while (!step.Done);
            TestContext.Out.WriteLine($"seed {seed}: opening {task.OpeningAngle:F3} rad");
            Assert.That(pressed, Is.True, $"seed {seed}: pushing the knob down turned the handle the positive way");
            Assert.That(released, Is.True, $"seed {seed}: the latch let go");
            if (task.IsSuccess) successes++;
        }
        Assert.That(successes, Is.EqualTo(3));
    }

    [Test]
    public void Suites_EveryDoorValid_DoorsFiveHasBothHinges()
    {
        foreach (var (name, doors) in DoorVariant.Suites)
            foreach (var d in doors) Assert.DoesNotThrow(d.Validate, $"{name}/{d.Name}");
        Assert.That(DoorVariant.Suite("doors-5").Select(d => d.Hinge).Distinct().Count(), Is.EqualTo(2));
        Assert.That(DoorVariant.Suite("doors-held-out").Select(d => d.Name).Intersect(DoorVariant.Suite("doors-5").Select(d => d.Name)), Is.Empty);
    }
}

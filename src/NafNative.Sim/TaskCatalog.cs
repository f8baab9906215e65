using NafNative.Environments;
using NafNative.Sim.Arm;
using NafNative.Sim.Mujoco;
using NafNative.Sim.Tasks;
using NafNative.Sim.Variation;

namespace NafNative.Sim;

/// <summary>The simulated tasks <c>naf train</c> and <c>naf eval</c> know by name.</summary>
/// <remarks>reach and pendulum run on the built-in simulators; door-push, door-pull and pick-place need MuJoCo 2.2.2
/// (<see cref="MujocoRuntime"/>): where it is missing, asking for one says exactly what to install.</remarks>
public static class TaskCatalog
{
    private static readonly Dictionary<string, Func<int, IEnvironment>> Factories = new()
    {
        ["reach"] = _ => new ReachTask(),
        ["pendulum"] = _ => new PendulumTask(),
        ["door-push"] = _ => new DoorTask(new DoorOptions { Direction = DoorDirection.Push }),
        ["door-pull"] = _ => new DoorTask(new DoorOptions { Direction = DoorDirection.Pull }),
        ["pick-place"] = _ => new PickPlaceTask(),
    };

    private static readonly HashSet<string> NeedMujoco = ["door-push", "door-pull", "pick-place"];

    /// <summary>The tasks that offer <see cref="IEnvironment.GoalRelabeling"/> (hindsight relabelling).</summary>
    public static readonly IReadOnlyList<string> GoalTasks = ["pick-place"];

    /// <summary>Whether task <paramref name="name"/> offers <see cref="IEnvironment.GoalRelabeling"/>.</summary>
    public static bool HasGoalRelabeling(string name) => GoalTasks.Contains(name);

    /// <summary>Names of every task (the MuJoCo ones included, available or not).</summary>
    public static IReadOnlyCollection<string> Names => Factories.Keys;

    /// <summary>Whether the task runs on MuJoCo.</summary>
    public static bool RequiresMujoco(string name) => NeedMujoco.Contains(name);

    /// <summary>A new environment for worker <paramref name="workerIndex"/> (each worker owns its own instance).</summary>
    public static IEnvironment Create(string name, int workerIndex)
    {
        Check(name);
        return Factories[name](workerIndex);
    }

    /// <summary>The arm joints of each arm task (the tasks a <see cref="RobotVariation"/> applies to).</summary>
    private static readonly Dictionary<string, int> ArmJoints = new() { ["reach"] = 7, ["door-push"] = 7, ["door-pull"] = 7, ["pick-place"] = 7 };

    /// <summary>Worker <paramref name="workerIndex"/>'s environment as its own robot: the nominal task when
    /// <paramref name="variation"/> is null or none (bit-identical to <see cref="Create(string, int)"/>), else the
    /// robot drawn for (<paramref name="seed"/>, worker) — its physics (reach: masses, damping, gains) and a
    /// <see cref="VariedEnvironment"/> for calibration, latency and noise.</summary>
    public static IEnvironment Create(string name, int workerIndex, RobotVariation? variation, int seed, SuiteChoice? suite = null)
    {
        // The evaluation environment (index −1) is the nominal robot at the nominal door.
        if (workerIndex < 0) return Create(name, workerIndex);
        if (variation is null || variation.IsNone) return CreateTask(name, workerIndex, suite);
        var robot = Robot(name, workerIndex, variation, seed);
        IEnvironment inner = name == "reach"
            ? new ReachTask(new ReachOptions { Model = robot.Apply(ArmModel.Iiwa14()) })
            : CreateTask(name, workerIndex, suite);
        try
        {
            return new VariedEnvironment(inner, robot, ArmJoints[name]);
        }
        catch
        {
            inner.Dispose();
            throw;
        }
    }

    /// <summary>The task itself: the nominal one, or with a <paramref name="suite"/> the variants of that suite (the
    /// worker's own variant when <see cref="SuiteChoice.PerWorker"/>).</summary>
    private static IEnvironment CreateTask(string name, int workerIndex, SuiteChoice? suite)
    {
        if (suite is null) return Create(name, workerIndex);
        var variants = Variants(name, suite.Suite);
        return new SuiteEnvironment(variants, suite.PerWorker ? workerIndex % variants.Length : null);
    }

    /// <summary>The suites each task offers (<see cref="Variants"/>).</summary>
    public static IReadOnlyList<string> Suites(string name) => name switch
    {
        "door-push" or "door-pull" => [.. DoorVariant.Suites.Keys],
        "pick-place" => [.. CubeVariant.Suites.Keys],
        _ => [],
    };

    /// <summary>Suite <paramref name="suite"/>'s variants of task <paramref name="name"/>: doors opening the way the
    /// door task opens them, or pick-and-place cubes and regions.</summary>
    public static ITaskVariant[] Variants(string name, string suite)
    {
        Check(name);
        ArgumentNullException.ThrowIfNull(suite);
        ITaskVariant[] variants = name switch
        {
            "door-push" or "door-pull" => [.. DoorVariant.Suite(suite).Select(d => d with { Direction = name == "door-push" ? DoorDirection.Push : DoorDirection.Pull })],
            "pick-place" => CubeVariant.Suite(suite),
            _ => throw new ArgumentException($"task '{name}' has no variants; suites apply to door-push and door-pull ({string.Join(", ", DoorVariant.Suites.Keys)}) " +
                $"and pick-place ({string.Join(", ", CubeVariant.Suites.Keys)})."),
        };
        foreach (var v in variants) v.Validate();
        return variants;
    }

    /// <summary>The robot worker <paramref name="workerIndex"/> gets under <paramref name="variation"/> (robots.json).</summary>
    public static RobotParameters Robot(string name, int workerIndex, RobotVariation variation, int seed)
    {
        ArgumentNullException.ThrowIfNull(variation);
        Check(name);
        if (!ArmJoints.TryGetValue(name, out int joints))
            throw new ArgumentException($"config field 'variation': task '{name}' is not an arm task; robot variation applies to {string.Join(", ", ArmJoints.Keys)}.");
        return RobotParameters.Draw(variation.Resolve(workerIndex), seed, workerIndex, joints);
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="name"/> is a known task, and
    /// <see cref="MujocoUnavailableException"/> (with the install command) for a MuJoCo task where MuJoCo is missing.</summary>
    public static void Check(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!Factories.ContainsKey(name))
            throw new ArgumentException($"unknown task '{name}'; available: {string.Join(", ", Names)}.", nameof(name));
        if (NeedMujoco.Contains(name)) MujocoRuntime.EnsureAvailable(name);
    }
}

/// <summary>Which variants a task's workers meet: suite <c>Suite</c>'s (doors, cubes), one per episode, or with
/// <c>PerWorker</c> worker i always variant i (mod the suite's size).</summary>
public sealed record SuiteChoice(string Suite, bool PerWorker = false);

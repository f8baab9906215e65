using NafNative.Environments;
using NafNative.Sim.Mujoco;
using NafNative.Sim.Tasks;

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

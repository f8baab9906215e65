using NafNative.Environments;
using NafNative.Sim.Tasks;

namespace NafNative.Sim;

/// <summary>The simulated tasks <c>naf train</c> and <c>naf eval</c> know by name.</summary>
/// <remarks>The MuJoCo tasks of the original work (door-push, door-pull, pick-place) are not built yet; asking for
/// one says so rather than pretending.</remarks>
public static class TaskCatalog
{
    private static readonly Dictionary<string, Func<int, IEnvironment>> Factories = new()
    {
        ["reach"] = _ => new ReachTask(),
        ["pendulum"] = _ => new PendulumTask(),
    };

    private static readonly string[] Planned = ["door-push", "door-pull", "pick-place"];

    /// <summary>Names of the tasks that can be created.</summary>
    public static IReadOnlyCollection<string> Names => Factories.Keys;

    /// <summary>A new environment for worker <paramref name="workerIndex"/> (each worker owns its own instance).</summary>
    public static IEnvironment Create(string name, int workerIndex)
    {
        Check(name);
        return Factories[name](workerIndex);
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="name"/> is a task that can be created.</summary>
    public static void Check(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (Factories.ContainsKey(name)) return;
        if (Planned.Contains(name))
            throw new ArgumentException($"task '{name}' needs the MuJoCo tasks, which are not implemented yet; available: {string.Join(", ", Names)}.", nameof(name));
        throw new ArgumentException($"unknown task '{name}'; available: {string.Join(", ", Names)}.", nameof(name));
    }
}

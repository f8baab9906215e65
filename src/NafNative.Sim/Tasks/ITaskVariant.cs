using NafNative.Environments;

namespace NafNative.Sim.Tasks;

/// <summary>One variant of a task (a door, a cube and its regions) that a <see cref="SuiteEnvironment"/> can hold.</summary>
public interface ITaskVariant
{
    /// <summary>The variant's name in its suite (e.g. <c>wide-heavy</c>).</summary>
    string Name { get; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the field out of the range the arm and model allow.</summary>
    void Validate();

    /// <summary>A new task on this variant's model; the caller owns it.</summary>
    IEnvironment CreateTask();
}

using NafNative.Environments;
using NafNative.Recording;
using NafNative.Sim.Tasks;

namespace NafNative.Sim.Recording;

/// <summary>The <see cref="IEpisodeCapture"/> of each built-in arm task.</summary>
public static class TaskCapture
{
    /// <summary>The capture for <paramref name="environment"/>, or <see cref="ArgumentException"/> for a task without
    /// an arm to draw (pendulum) or one this build cannot record.</summary>
    public static IEpisodeCapture For(IEnvironment environment) => environment switch
    {
        null => throw new ArgumentNullException(nameof(environment)),
        ReachTask reach => new ReachCapture(reach),
        DoorTask door => new DoorCapture(door),
        PickPlaceTask pickPlace => new PickPlaceCapture(pickPlace),
        _ => throw new ArgumentException($"task '{environment.Name}' cannot be recorded: recordings draw an arm, and the arm tasks are reach, door-push, door-pull and pick-place."),
    };
}

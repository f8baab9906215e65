using NafNative.Recording;
using NafNative.Sim.Tasks;

namespace NafNative.Sim.Recording;

/// <summary>Frames of <see cref="ReachTask"/>: the built-in arm's joint angles and end effector, the target, and the
/// distance between them. Reach has no objects.</summary>
public sealed class ReachCapture : IEpisodeCapture
{
    private readonly ReachTask _task;

    public ReachCapture(ReachTask task)
    {
        _task = task ?? throw new ArgumentNullException(nameof(task));
        Scene = new RecordedScene(ArmDescriptions.From(task.Options.Model), [],
            new SceneTarget("target (success radius)", (float)task.Options.SuccessRadius), [new SceneValue("distance to target", "m")]);
    }

    public RecordedScene Scene { get; }

    public RecordedFrame Capture(double time, float reward) => new(time,
        _task.Simulator.Positions.ToArray().Select(q => (float)q).ToArray(),
        ArmDescriptions.Floats(_task.Simulator.EndEffectorPosition), ArmDescriptions.Floats(_task.Target), [],
        [(float)_task.Distance], reward);
}

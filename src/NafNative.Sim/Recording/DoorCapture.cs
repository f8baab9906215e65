using NafNative.Recording;
using NafNative.Sim.Tasks;

namespace NafNative.Sim.Recording;

/// <summary>Frames of <see cref="DoorTask"/> (push or pull): the door and its handle as bodies, the handle's grip point
/// as the target, and the door's opening angle, the handle's angle and the latch as values.</summary>
public sealed class DoorCapture : MujocoArmCapture
{
    private const float GripMarkerRadius = 0.02f;
    private readonly DoorTask _task;

    public DoorCapture(DoorTask task)
        : base(task, task.Options.Model, new SceneTarget("handle grip point", GripMarkerRadius),
            [new SceneValue("door opening", "rad"), new SceneValue("handle angle", "rad"), new SceneValue("latched", "0/1"),
             new SceneValue("distance to handle", "m")])
        => _task = task;

    private protected override float[] Values() =>
        [(float)_task.OpeningAngle, (float)_task.HandleAngle, _task.Latched ? 1 : 0, (float)_task.HandleDistance];
}

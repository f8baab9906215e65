using NafNative.Recording;
using NafNative.Sim.Arm;
using NafNative.Sim.Tasks;

namespace NafNative.Sim.Recording;

/// <summary>Frames of <see cref="PickPlaceTask"/>: the cube and the gripper's fingers as bodies, the goal as the target,
/// and the cube's distance to the goal, whether it is held and the commanded finger opening as values.</summary>
public sealed class PickPlaceCapture : MujocoArmCapture
{
    private readonly PickPlaceTask _task;

    public PickPlaceCapture(PickPlaceTask task)
        : base(task, task.Options.Model, new SceneTarget("goal (success radius)", (float)task.Options.SuccessRadius),
            [new SceneValue("cube to goal", "m"), new SceneValue("holding", "0/1"), new SceneValue("finger opening command", "m")])
        => _task = task;

    private protected override float[] Values() =>
        [(float)Vec3.Distance(_task.CubePosition, _task.TargetPosition), _task.Holding ? 1 : 0, (float)_task.FingerOpeningCommand];
}

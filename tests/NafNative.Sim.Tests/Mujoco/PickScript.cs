using NafNative.Sim.Arm;
using NafNative.Sim.Tasks;

namespace NafNative.Sim.Tests.Mujoco;

/// <summary>A hand-written picker: above the cube with the fingers open, down around it, close, carry it to the goal.
/// It proves a pick-and-place setting is solvable with the task's own actions and limits.</summary>
internal sealed class PickScript(PickPlaceTask task)
{
    private readonly ArmVelocityCommand _velocity = new(task, task.Options);
    private int _phase, _closing;

    /// <summary>Whether the script is carrying (phase 3: closed on the cube, heading for the goal).</summary>
    public bool Carrying => _phase == 3;

    public void Act(Span<float> action)
    {
        if (task.StepCount == 0) _phase = _closing = 0;
        // A cube under 4 cm is grasped above its centre: the fingertips stop 2 cm below the grasp point, at the floor.
        Vec3 cube = task.CubePosition, grasp = task.GraspPoint;
        cube = new Vec3(cube.X, cube.Y, Math.Max(cube.Z, 0.02));
        if (_phase == 0 && Vec3.Distance(grasp, cube + new Vec3(0, 0, 0.08)) < 0.01) _phase = 1;
        if (_phase == 1 && Vec3.Distance(grasp, cube) < 0.015) _phase = 2;
        if (_phase == 2 && ++_closing > 10) _phase = 3;
        Vec3 goal = _phase switch
        {
            0 => cube + new Vec3(0, 0, 0.08),
            1 or 2 => cube,
            _ => task.TargetPosition,
        };
        _velocity.Write(4 * (goal - grasp), action);
        action[7] = _phase < 2 ? 1 : -1;
    }
}

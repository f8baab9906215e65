using NafNative.Sim.Arm;
using NafNative.Sim.Tasks;

namespace NafNative.Sim.Tests.Mujoco;

/// <summary>A hand-written door opener: damped-least-squares end-effector control through waypoints (above the
/// knob, press the lever down, then push while holding it; or, for a pull door, pull it a little by friction, lift
/// over the knob, drop between knob and door and pull the knob from behind). It proves the task is solvable with the task's
/// actions and limits, and drives hand-built states in tests.</summary>
internal sealed class DoorScript
{
    private readonly DoorTask _task;
    private readonly ArmVelocityCommand _velocity;
    private readonly double _side;
    private int _phase;

    /// <param name="task">The door task to drive.</param>
    /// <param name="hinge">Which side the door's hinge is on (a right-hinged door turns the other way about z).</param>
    public DoorScript(DoorTask task, HingeSide hinge = HingeSide.Left)
    {
        _task = task;
        _velocity = new ArmVelocityCommand(task, task.Options);
        _side = hinge == HingeSide.Left ? 1 : -1;
    }

    public void Act(Span<float> action)
    {
        Vec3 grip = _task.TargetPosition, ee = _task.EndEffectorPosition;
        bool push = _task.Options.Direction == DoorDirection.Push;
        if (_task.StepCount == 0) _phase = 0;
        // Phases only advance (hysteresis), so the script never chatters between two goals.
        if (_phase == 0 && Vec3.Distance(ee, grip + new Vec3(0, 0, 0.02)) < 0.01) _phase = 1;
        if (_phase == 1 && _task.HandleAngle > _task.Options.HandleReleaseAngle) _phase = 2;
        // Pull only: unit vector from the knob toward the door's face (a left-hinged door turns about z by −opening).
        double a = _task.OpeningAngle;
        Vec3 behind = new(Math.Cos(a), -_side * Math.Sin(a), 0);
        if (!push)
        {
            if (_phase == 2 && a > 0.08) _phase = 3;                                       // well past the latch
            if (_phase == 3 && ee.Z > grip.Z + 0.05) _phase = 4;
            if (_phase == 4 && Vec3.Distance(ee, grip + 0.035 * behind + new Vec3(0, 0, 0.06)) < 0.015) _phase = 5;
            if (_phase == 5 && ee.Z < grip.Z - 0.02) _phase = 6;
        }
        Vec3 goal = (_phase, push) switch
        {
            (0, _) => grip + new Vec3(0, 0, 0.02),                    // above the knob
            (1, _) => grip + new Vec3(0, 0, -0.08),                   // press the lever down
            (_, true) => grip + new Vec3(0.15, 0, -0.05),             // push open, keeping the lever pressed
            (2, false) => grip + new Vec3(-0.15, 0, -0.10),           // pull a little by friction, past the latch
            (3, false) => grip - 0.03 * behind + new Vec3(0, 0, 0.07),  // straight up, clear of the knob
            (4, false) => grip + 0.035 * behind + new Vec3(0, 0, 0.06), // over to the door side of the knob
            (5, false) => grip + 0.035 * behind + new Vec3(0, 0, -0.03), // down between knob and door
            _ => grip + (0.035 - 0.15) * behind + new Vec3(0, 0, -0.03), // hook the knob and pull
        };
        _velocity.Write(4 * (goal - ee), action);
    }
}

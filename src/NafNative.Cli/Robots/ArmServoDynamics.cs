using NafNative.Hardware.Robots;
using NafNative.Hardware.Simulated;
using NafNative.Sim.Arm;

namespace NafNative.Cli.Robots;

/// <summary>Moves a simulated servo chain's horns by the built-in articulated arm's dynamics: each servo's commanded
/// velocity goes to its joint's velocity controller (gravity compensation, torque limits, joint limits), one 2 ms
/// physics step at a time.</summary>
/// <remarks>Horn angle ↔ joint angle by the robot file's mapping (q = direction × (horn − zero offset)), so the same
/// file drives the simulated and the real arm. A joint whose servo has torque off is held still (as a braked joint
/// is): the simulator has no free-fall model of an unpowered arm.</remarks>
internal sealed class ArmServoDynamics : IServoDynamics
{
    private const double PhysicsStep = 0.002;
    private readonly ArmSimulator _arm;
    private readonly RobotJoint[] _joints;
    private readonly double[] _q, _qd, _command;
    private double _carry; // simulated time not yet stepped (less than one physics step)

    public ArmServoDynamics(ArmModel model, RobotDescription robot)
    {
        if (model.DegreesOfFreedom != robot.JointCount)
            throw new ArgumentException($"robot {robot.Name}: {robot.JointCount} joints but arm model {model.Name} has {model.DegreesOfFreedom}.");
        _arm = new ArmSimulator(model, new ArmSimulatorOptions { PhysicsStep = PhysicsStep, ControlRate = 1 / PhysicsStep });
        _joints = robot.Joints;
        _q = new double[Count];
        _qd = new double[Count];
        _command = new double[Count];
    }

    public int Count => _joints.Length;

    /// <summary>Horn angles for the given joint angles (to start the chain in the robot's home pose).</summary>
    public static double[] HornAngles(RobotDescription robot, ReadOnlySpan<double> q)
    {
        var horns = new double[robot.JointCount];
        for (int i = 0; i < horns.Length; i++) horns[i] = robot.Joints[i].Direction * q[i] + robot.Joints[i].ZeroOffset;
        return horns;
    }

    public void Advance(double seconds, ReadOnlySpan<double> commandedVelocity, ReadOnlySpan<bool> torqueOn,
        Span<double> positions, Span<double> velocities)
    {
        _carry += seconds;
        int steps = (int)(_carry / PhysicsStep);
        if (steps == 0) return;
        _carry -= steps * PhysicsStep;
        for (int i = 0; i < Count; i++)
        {
            int d = _joints[i].Direction;
            _q[i] = d * (positions[i] - _joints[i].ZeroOffset);
            _qd[i] = d * velocities[i];
            _command[i] = torqueOn[i] ? d * commandedVelocity[i] : 0;
        }
        _arm.SetState(_q, _qd);
        for (int k = 0; k < steps; k++) _arm.StepControl(_command);
        ReadOnlySpan<double> q = _arm.Positions, qd = _arm.Velocities;
        for (int i = 0; i < Count; i++)
        {
            int d = _joints[i].Direction;
            positions[i] = d * q[i] + _joints[i].ZeroOffset;
            velocities[i] = torqueOn[i] ? d * qd[i] : 0;
        }
    }
}

using NafNative.Sim.Arm;
using NafNative.Sim.Mujoco;
using NafNative.Sim.Tasks;

namespace NafNative.Sim.Tests.Mujoco;

/// <summary>Turns an end-effector velocity into a MuJoCo arm task's joint actions at its current pose
/// (<see cref="ResolvedRateControl"/> on the Jacobian of the task's <see cref="ArmModel"/>): the one motion primitive
/// of the hand-written door and pick-and-place controllers in these tests.</summary>
internal sealed class ArmVelocityCommand(MujocoArmTask task, MujocoArmOptions options)
{
    private readonly ArmDynamics _dynamics = new(options.Model);
    private readonly double[] _q = new double[options.Model.DegreesOfFreedom];
    private readonly double[] _jacobian = new double[3 * options.Model.DegreesOfFreedom];

    public void Write(Vec3 velocity, Span<float> action)
    {
        for (int i = 0; i < _q.Length; i++) _q[i] = task.JointAngle(i);
        _dynamics.SetConfiguration(_q);
        _dynamics.LinearJacobian(_jacobian);
        ResolvedRateControl.Apply(options.Model, options.ActionScale, _jacobian, velocity, action);
    }
}

using NafNative.Hardware.Robots;
using NafNative.Safety;
using NafNative.Sim.Arm;

namespace NafNative.Cli.Robots;

/// <summary>Loads robot files with the built-in arms' kinematics and opens robots (control loop + reach task).</summary>
internal static class RobotSetup
{
    /// <summary>Built-in arm models a robot file may name in <c>"kinematics": {"builtin": …}</c>.</summary>
    public static ArmModel? BuiltinModel(string name) => name switch
    {
        "iiwa14" => ArmModel.Iiwa14(),
        _ => null,
    };

    public static RobotDescription Load(string path) =>
        RobotDescription.Load(path, name => BuiltinModel(name) is { } model
            ? ((IForwardKinematics)new ArmForwardKinematics(model), model.DegreesOfFreedom)
            : null);

    /// <summary>Connects to the robot, enables its drives and returns its reach task (which owns the control loop).</summary>
    /// <param name="robot">The robot file.</param>
    /// <param name="timeScale">Simulated robots only: the simulator's time scale (see <c>naf sim-robot</c>).</param>
    public static RobotReachTask OpenReach(RobotDescription robot, double timeScale)
    {
        IJointTransport transport = robot.Transport == "ethercat" ? new EtherCatJointTransport(robot) : new DynamixelJointTransport(robot);
        var controller = new RobotController(robot, transport, timeScale);
        try
        {
            controller.Start();
            return new RobotReachTask(controller);
        }
        catch
        {
            controller.Dispose();
            throw;
        }
    }
}

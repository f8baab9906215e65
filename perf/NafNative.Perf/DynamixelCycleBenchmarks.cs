using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using NafNative.Hardware.Dynamixel;
using NafNative.Hardware.Robots;
using NafNative.Hardware.Simulated;

namespace NafNative.Perf;

/// <summary>One control cycle's bus work for a 7-joint Dynamixel arm: SYNC READ of present velocity + position and
/// SYNC WRITE of goal velocities, over a pty to this project's simulated servos (return delay 0, as the robot
/// runtime configures them). The allocation column must read 0 B. Timing here includes the simulator's thread on the
/// same machine; cycle-time percentiles at a control rate come from <c>naf bench cycle</c>.</summary>
[MemoryDiagnoser]
public class DynamixelCycleBenchmarks
{
    private const int Joints = 7;
    private SimulatedDynamixelChain _chain = null!;
    private DynamixelJointTransport _transport = null!;
    private readonly double[] _q = new double[Joints], _qd = new double[Joints], _command = new double[Joints];

    [Params("posix", "system.io.ports")]
    public string Driver { get; set; } = "posix";

    [GlobalSetup]
    public void Setup()
    {
        _chain = new SimulatedDynamixelChain(Enumerable.Range(1, Joints).Select(id => new SimulatedServo((byte)id, ServoModel.Xm430W350)).ToArray());
        _chain.Start();
        var joints = new JsonArray();
        var dh = new JsonArray();
        var home = new JsonArray();
        for (int i = 0; i < Joints; i++)
        {
            joints.Add(new JsonObject { ["id"] = i + 1, ["model"] = "XM430-W350", ["max_velocity_rad_s"] = 1.0 });
            dh.Add(new JsonObject { ["a"] = 0.1 });
            home.Add(0.0);
        }
        var robot = RobotDescription.Parse(new JsonObject
        {
            ["name"] = "bench",
            ["transport"] = new JsonObject { ["type"] = "dynamixel", ["port"] = _chain.PortPath, ["driver"] = Driver },
            ["joints"] = joints, ["home"] = home, ["kinematics"] = new JsonObject { ["dh"] = dh },
            ["workspace"] = new JsonObject { ["min"] = new JsonArray(-10.0, -10.0, -10.0), ["max"] = new JsonArray(10.0, 10.0, 10.0) },
            ["drive_watchdog_ms"] = 2540,
        }, "bench");
        _transport = new DynamixelJointTransport(robot);
        _transport.Connect();
        _transport.Enable(robot.DriveWatchdog);
        for (int i = 0; i < Joints; i++) _command[i] = 0.1;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _transport.DisableTorque();
        _transport.Dispose();
        _chain.Dispose();
    }

    [Benchmark(Description = "SYNC READ 7×8 B + SYNC WRITE 7×4 B")]
    public JointReadOutcome Cycle()
    {
        var outcome = _transport.Read(_q, _qd);
        _transport.WriteVelocities(_command);
        return outcome;
    }
}

using System.Text.Json.Nodes;
using NafNative.Hardware.Dynamixel;
using NafNative.Hardware.Robots;
using NafNative.Hardware.Simulated;

namespace NafNative.Remote.Tests;

/// <summary>A 3-joint planar arm (DH: three 0.2 m links about z) on simulated servos on a pty of its own, behind the
/// robot runtime's control loop (safety filter, watchdog), running the reach task (observation 15, action 3).</summary>
internal sealed class PlanarRobot : IDisposable
{
    public PlanarRobot(double rate = 50, double watchdogMs = 10_000, double holdMs = 100)
    {
        Chain = new SimulatedDynamixelChain([new SimulatedServo(1, ServoModel.Xm430W350), new SimulatedServo(2, ServoModel.Xm430W350),
            new SimulatedServo(3, ServoModel.Xm430W350)]);
        Chain.Start();
        var json = new JsonObject
        {
            ["name"] = "planar3",
            ["transport"] = new JsonObject { ["type"] = "dynamixel", ["port"] = Chain.PortPath, ["baud"] = 1_000_000, ["latency_ms"] = 15 },
            ["control_rate_hz"] = rate,
            ["watchdog_ms"] = watchdogMs,
            ["stop_hold_ms"] = holdMs,
            ["joints"] = new JsonArray(Joint("shoulder", 1), Joint("elbow", 2), Joint("wrist", 3)),
            ["workspace"] = new JsonObject { ["min"] = new JsonArray(-1.0, -1.0, -0.1), ["max"] = new JsonArray(1.0, 1.0, 0.1) },
            ["home"] = new JsonArray(0.0, 0.5, 0.5),
            ["home_speed_rad_s"] = 0.8,
            ["kinematics"] = new JsonObject { ["dh"] = new JsonArray(Link(), Link(), Link()) },
            ["task"] = new JsonObject
            {
                ["type"] = "reach", ["target_center"] = new JsonArray(0.4, 0.2, 0.0), ["target_half_extents"] = new JsonArray(0.1, 0.1, 0.0),
                ["episode_steps"] = 20,
            },
        };
        var description = RobotDescription.Parse(json, "planar3.json");
        Controller = new RobotController(description, new DynamixelJointTransport(description));
        Controller.Start();
        Task = new RobotReachTask(Controller, ownsController: false);
    }

    public SimulatedDynamixelChain Chain { get; }
    public RobotController Controller { get; }
    public RobotReachTask Task { get; }

    private static JsonObject Joint(string name, int id) => new()
    {
        ["name"] = name, ["id"] = id, ["model"] = "XM430-W350", ["direction"] = 1, ["min_rad"] = -2.5, ["max_rad"] = 2.5, ["max_velocity_rad_s"] = 1.0,
    };

    private static JsonObject Link() => new() { ["a"] = 0.2, ["alpha"] = 0.0, ["d"] = 0.0 };

    public void Dispose()
    {
        try { Controller.Dispose(); }
        finally { Chain.Dispose(); }
    }
}

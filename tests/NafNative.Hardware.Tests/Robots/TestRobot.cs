using System.Text.Json.Nodes;
using NafNative.Hardware.Dynamixel;
using NafNative.Hardware.Robots;
using NafNative.Hardware.Simulated;

namespace NafNative.Hardware.Tests.Robots;

/// <summary>A 3-joint planar arm (DH: three 0.2 m links about z) on a simulated chain on its own pty.</summary>
internal sealed class TestRobot : IDisposable
{
    public const double MaxVelocity = 1.0;

    public TestRobot(double rate = 50, double watchdogMs = 100, double holdMs = 100, double timeScale = 1, string? extraJson = null, bool fastSyncRead = false)
    {
        Chain = new SimulatedDynamixelChain([new SimulatedServo(1, ServoModel.Xm430W350), new SimulatedServo(2, ServoModel.Xm430W350),
            new SimulatedServo(3, ServoModel.Xl430W250)], timeScale: timeScale);
        Chain.Start();
        Json = Document(Chain.PortPath, rate, watchdogMs, holdMs);
        if (fastSyncRead) Json["transport"]!["fast_sync_read"] = true;
        if (extraJson is not null) foreach (var (k, v) in JsonNode.Parse(extraJson)!.AsObject()) Json[k] = v?.DeepClone();
        Description = RobotDescription.Parse(Json, "test-robot.json");
        Controller = new RobotController(Description, new DynamixelJointTransport(Description), timeScale);
    }

    public SimulatedDynamixelChain Chain { get; }
    public JsonObject Json { get; }
    public RobotDescription Description { get; }
    public RobotController Controller { get; }

    public static JsonObject Document(string port, double rate = 50, double watchdogMs = 100, double holdMs = 100) => new()
    {
        ["name"] = "planar3",
        ["transport"] = new JsonObject { ["type"] = "dynamixel", ["port"] = port, ["baud"] = 1_000_000, ["latency_ms"] = 15 },
        ["control_rate_hz"] = rate,
        ["watchdog_ms"] = watchdogMs,
        ["stop_hold_ms"] = holdMs,
        ["joint_margin_rad"] = 0.05,
        ["joints"] = new JsonArray(
            Joint("shoulder", 1, "XM430-W350", 1),
            Joint("elbow", 2, "XM430-W350", -1),
            Joint("wrist", 3, "XL430-W250", 1)),
        ["workspace"] = new JsonObject { ["min"] = new JsonArray(-1.0, -1.0, -0.1), ["max"] = new JsonArray(1.0, 1.0, 0.1) },
        ["home"] = new JsonArray(0.0, 0.5, 0.5),
        ["home_speed_rad_s"] = 0.8,
        ["kinematics"] = new JsonObject
        {
            ["dh"] = new JsonArray(Row(), Row(), Row()),
        },
        ["task"] = new JsonObject
        {
            ["type"] = "reach",
            ["target_center"] = new JsonArray(0.4, 0.2, 0.0),
            ["target_half_extents"] = new JsonArray(0.1, 0.1, 0.0),
            ["episode_steps"] = 20,
        },
    };

    private static JsonObject Joint(string name, int id, string model, int direction) => new()
    {
        ["name"] = name, ["id"] = id, ["model"] = model, ["direction"] = direction,
        ["min_rad"] = -2.5, ["max_rad"] = 2.5, ["max_velocity_rad_s"] = MaxVelocity,
    };

    private static JsonObject Row() => new() { ["a"] = 0.2, ["alpha"] = 0.0, ["d"] = 0.0 };

    /// <summary>The largest goal velocity (register units) the servos were ever asked for.</summary>
    public static int LimitUnits => (int)Math.Ceiling(MaxVelocity / ServoModel.RadiansPerSecondPerVelocityUnit);

    public void Dispose()
    {
        try
        {
            Controller.Dispose();
        }
        finally
        {
            Chain.Dispose();
        }
    }
}

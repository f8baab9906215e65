using System.Text.Json.Nodes;
using NafNative.Hardware.Robots;
using NafNative.Hardware.Simulated.EtherCat;
using NafNative.Hardware.Tests.Robots;

namespace NafNative.Hardware.Tests.EtherCat;

/// <summary>The 3-joint test arm on three simulated CiA 402 drives over EtherCAT-over-UDP on loopback, its robot file
/// editable before it is parsed.</summary>
internal sealed class EcRobot : IDisposable
{
    public EcRobot(Action<JsonObject>? edit = null)
    {
        Drives = [new SimulatedCia402Drive(), new SimulatedCia402Drive(), new SimulatedCia402Drive()];
        Segment = SimulatedEcSegment.ForDrives(Drives);
        var doc = TestRobot.Document("unused");
        doc["transport"] = new JsonObject { ["type"] = "ethercat", ["udp"] = Segment.EndPoint.ToString(), ["timeout_ms"] = 20 };
        var joints = doc["joints"]!.AsArray();
        for (int i = 0; i < 3; i++)
        {
            var j = joints[i]!.AsObject();
            j.Remove("id");
            j.Remove("model");
            j["slave"] = i;
            j["counts_per_revolution"] = 4096;
            j["gear_ratio"] = 10;
        }
        edit?.Invoke(doc);
        Description = RobotDescription.Parse(doc, "ec-robot.json");
        Transport = new EtherCatJointTransport(Description);
        Controller = new RobotController(Description, Transport);
    }

    public SimulatedCia402Drive[] Drives { get; }
    public SimulatedEcSegment Segment { get; }
    public RobotDescription Description { get; }
    public EtherCatJointTransport Transport { get; }
    public RobotController Controller { get; }

    public void Dispose()
    {
        try { Controller.Dispose(); } finally { Segment.Dispose(); }
    }
}

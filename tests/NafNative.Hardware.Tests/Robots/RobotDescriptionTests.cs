using System.Text.Json.Nodes;
using NafNative.Hardware.Robots;

namespace NafNative.Hardware.Tests.Robots;

public sealed class RobotDescriptionTests
{
    [Test]
    public void Parse_ValidFile_GivesJointsLimitsAndKinematics()
    {
        var robot = RobotDescription.Parse(TestRobot.Document("/dev/null"), "r.json");
        Assert.That(robot.JointCount, Is.EqualTo(3));
        Assert.That(robot.Joints[1].Direction, Is.EqualTo(-1));
        Assert.That(robot.SafetyLimits().MaxJointVelocity.ToArray(), Is.All.EqualTo((float)TestRobot.MaxVelocity));
        // Planar arm at (0, 0.5, 0.5): x = 0.2 (1 + cos 0.5 + cos 1), y = 0.2 (sin 0.5 + sin 1).
        var p = robot.Kinematics.EndEffectorPosition([0f, 0.5f, 0.5f]);
        Assert.That(p.X, Is.EqualTo(0.2 * (1 + Math.Cos(0.5) + Math.Cos(1))).Within(1e-6));
        Assert.That(p.Y, Is.EqualTo(0.2 * (Math.Sin(0.5) + Math.Sin(1))).Within(1e-6));
    }

    [TestCase("joints[1].id", 1, "is used by another joint")]
    [TestCase("joints[0].id", 300, "above its maximum 252")]
    [TestCase("joints[2].model", "XM999", "is not a known model")]
    [TestCase("joints[0].direction", 0, "must be 1 or -1")]
    [TestCase("joints[0].max_velocity_rad_s", 99.0, "above what a XM430-W350 can be limited to")]
    [TestCase("transport.baud", 12345, "is not supported")]
    [TestCase("control_rate_hz", 0, "below its minimum")]
    [TestCase("watchdog_ms", 5, "shorter than one control period")]
    [TestCase("home", "[0, 0.5]", "has 2 numbers; it needs 3")]
    [TestCase("home", "[0, 3.0, 0]", "outside joint 1's allowed range")]
    [TestCase("workspace.max", "[1, -2, 1]", "is not above workspace.min")]
    [TestCase("workspace.rule", "freeze", "= 'freeze' is not 'slide' or 'stop'")]
    [TestCase("kinematics", "{\"builtin\": \"nope\"}", "is not a built-in arm")]
    [TestCase("transport.type", "canopen", "is not supported")]
    [TestCase("joints[0].speed", 3, "is not a known field")]
    [TestCase("task.type", "door", "is not a robot task")]
    public void Parse_BadField_ErrorNamesTheField(string path, object value, string expected)
    {
        var doc = TestRobot.Document("/dev/null");
        Set(doc, path, value is string s && (s.StartsWith('[') || s.StartsWith('{')) ? JsonNode.Parse(s) : JsonValue.Create(value));
        var ex = Assert.Throws<InvalidDataException>(() => RobotDescription.Parse(doc, "bad.json"));
        Assert.That(ex!.Message, Does.StartWith("robot file bad.json: ").And.Contain(path.Split('.')[0]).And.Contain(expected));
    }

    [Test]
    public void Parse_WorkspaceRule_DefaultsToStopAndSlideIsHonoured()
    {
        var doc = TestRobot.Document("/dev/null");
        Assert.That(RobotDescription.Parse(doc, "r.json").SafetyLimits().WorkspaceRule, Is.EqualTo(NafNative.Safety.WorkspaceRule.Stop));
        Set(doc, "workspace.rule", JsonValue.Create("slide"));
        Assert.That(RobotDescription.Parse(doc, "r.json").SafetyLimits().WorkspaceRule, Is.EqualTo(NafNative.Safety.WorkspaceRule.Slide));
    }

    [Test]
    public void Parse_MissingRequiredField_NamesIt()
    {
        var doc = TestRobot.Document("/dev/null");
        doc.Remove("workspace");
        var ex = Assert.Throws<InvalidDataException>(() => RobotDescription.Parse(doc, "r.json"));
        Assert.That(ex!.Message, Does.Contain("workspace is missing"));
    }

    [Test]
    public void Load_NotJson_SaysSo()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "{ \"name\": ");
            var ex = Assert.Throws<InvalidDataException>(() => RobotDescription.Load(path));
            Assert.That(ex!.Message, Does.Contain("not valid JSON"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static void Set(JsonObject doc, string path, JsonNode? value)
    {
        JsonNode node = doc;
        string[] parts = path.Split('.');
        for (int i = 0; i < parts.Length - 1; i++) node = Step(node, parts[i]);
        string last = parts[^1];
        int bracket = last.IndexOf('[');
        if (bracket >= 0) Step(node, last[..bracket]).AsArray()[int.Parse(last[(bracket + 1)..^1])] = value;
        else node.AsObject()[last] = value;
    }

    private static JsonNode Step(JsonNode node, string part)
    {
        int bracket = part.IndexOf('[');
        if (bracket < 0) return node[part]!;
        return node[part[..bracket]]![int.Parse(part[(bracket + 1)..^1])]!;
    }
}

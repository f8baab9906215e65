using System.Text.Json.Nodes;
using NafNative.Hardware.Dynamixel;
using NafNative.Hardware.Simulated;
using NUnit.Framework;

namespace NafNative.Cli.Tests.Commands;

/// <summary>naf hw / sim-robot / run / train --robot / eval --robot against simulated servos on ptys the tests create.</summary>
[TestFixture, NonParallelizable]
public sealed class HardwareCommandTests
{
    private string _root = "";

    [SetUp]
    public void SetUp() => _root = Directory.CreateTempSubdirectory("naf-hw-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    [Test]
    public void HwScan_FindsEveryServoOnThePort()
    {
        using var chain = new SimulatedDynamixelChain([new SimulatedServo(3, ServoModel.Xm430W350), new SimulatedServo(9, ServoModel.Xl330M288)]);
        chain.Start();
        var (exit, stdout, stderr) = CliRunner.Run("hw", "scan", "--port", chain.PortPath);
        Assert.That(exit, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("2 servo(s)").And.Contain("XM430-W350").And.Contain("XL330-M288"));
        Assert.That(stdout, Does.Match(@"\s3 XM430-W350\s+\(1020\)").And.Match(@"\s9 XL330-M288\s+\(1200\)"));
    }

    [Test]
    public void HwScan_NothingAnswers_ExitsTwoWithAHint()
    {
        using var chain = new SimulatedDynamixelChain([new SimulatedServo(1, ServoModel.Xm430W350)]);
        chain.Start();
        chain.Inject(new ServoFault(ServoFaultKind.Unplug, Id: 1));
        var (exit, stdout, _) = CliRunner.Run("hw", "scan", "--port", chain.PortPath);
        Assert.That(exit, Is.EqualTo(2));
        Assert.That(stdout, Does.Contain("no servo answered").And.Contain("57600"));
    }

    [Test]
    public void HwScan_PortThatDoesNotExist_SaysWhichPort()
    {
        var (exit, _, stderr) = CliRunner.Run("hw", "scan", "--port", Path.Combine(_root, "no-such-tty"));
        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("no-such-tty").And.Contain("open"));
    }

    [Test]
    public void SimRobotThenHwCheckAndMove_ReadsEveryJointAndChecksDirections()
    {
        string robot = WriteRobotFile("arm");
        using var sim = StartSimRobot(robot, seconds: 60);
        var (exit, stdout, stderr) = CliRunner.Run("hw", "check", "--robot", robot, "--move", "--robot-time-scale", "10");
        Assert.That(exit, Is.Zero, stdout + stderr);
        Assert.That(stdout, Does.Contain("a7").And.Contain("inside the workspace box").And.Contain("jog a4").And.Contain("check passed"));
        Assert.That(stdout, Does.Not.Contain(" ! "));
    }

    [Test]
    public void HwCheck_WrongModelInTheFile_ListsTheMismatchedJoint()
    {
        string robot = WriteRobotFile("arm");
        using var sim = StartSimRobot(robot, seconds: 60);
        var doc = JsonNode.Parse(File.ReadAllText(robot))!;
        doc["joints"]![2]!["model"] = "XL430-W250";
        File.WriteAllText(robot, doc.ToJsonString());
        var (exit, _, stderr) = CliRunner.Run("hw", "check", "--robot", robot);
        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("a3 (ID 3): model XM430-W350 (1020), the file says XL430-W250 (1060)"));
    }

    [Test]
    public void TrainThroughTheBus_ThenRunAndEvalOnTheRobot_AndTheArmIsLeftAtRest()
    {
        string robot = WriteRobotFile("arm");
        using var sim = StartSimRobot(robot, seconds: 120);
        string run = Path.Combine(_root, "run");
        var train = CliRunner.Run("train", "--robot", robot, "--robot-time-scale", "10", "--steps", "300", "--out", run);
        Assert.That(train.Exit, Is.Zero, train.Err);
        Assert.That(train.Out, Does.Contain("finished: 3"), "300 env steps through the bus");

        var played = CliRunner.Run("run", "--robot", robot, "--run", run, "--episodes", "1", "--robot-time-scale", "10");
        Assert.That(played.Exit, Is.Zero, played.Err);
        Assert.That(played.Out, Does.Contain("cycle p50/p99/max").And.Contain("success "));

        var eval = CliRunner.Run("eval", "--robot", robot, "--run", run, "--episodes", "1", "--robot-time-scale", "10", "--json");
        Assert.That(eval.Exit, Is.Zero, eval.Err);
        Assert.That(JsonNode.Parse(eval.Out)!["episodes"]!.GetValue<int>(), Is.EqualTo(1));
    }

    [Test]
    public void Run_RobotFileForAnotherArm_RefusesBeforeMoving()
    {
        string robot = WriteRobotFile("arm");
        using var sim = StartSimRobot(robot, seconds: 60);
        string run = Path.Combine(_root, "pend");
        Assert.That(CliRunner.Run("train", "--task", "pendulum", "--steps", "1200", "--out", run).Exit, Is.Zero);
        var (exit, _, stderr) = CliRunner.Run("run", "--robot", robot, "--run", run, "--episodes", "1", "--robot-time-scale", "10");
        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("does not fit reach"));
    }

    // A copy of the simulated iiwa robot file whose port is a symlink inside this test's folder.
    private string WriteRobotFile(string name)
    {
        string source = Path.Combine(AppContext.BaseDirectory, "sim-iiwa-a.json");
        var doc = JsonNode.Parse(File.ReadAllText(source))!;
        doc["transport"]!["port"] = Path.Combine(_root, name + ".tty");
        doc["name"] = "test-" + name;
        string path = Path.Combine(_root, name + ".json");
        File.WriteAllText(path, doc.ToJsonString());
        return path;
    }

    private static Robots.SimulatedRobot StartSimRobot(string robot, double seconds)
    {
        _ = seconds; // in-process: it lives until the test disposes it
        var description = Robots.RobotSetup.Load(robot);
        return Robots.SimulatedRobot.Start(description, 10, description.Port);
    }

    [Test]
    public void SimRobotCommand_ServesOnAPtyLinkAndRemovesTheLinkWhenItStops()
    {
        string link = Path.Combine(_root, "bus.tty");
        string? seen = null;
        var thread = new Thread(() => { });
        int exit = -1;
        string output = "";
        thread = new Thread(() => (exit, output, _) = CliRunner.Run("sim-robot", "dynamixel", "--ids", "1,2", "--link", link, "--seconds", "3"));
        thread.Start();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (seen is null && DateTime.UtcNow < deadline)
        {
            seen = new FileInfo(link).LinkTarget;
            Thread.Sleep(20);
        }
        Assert.That(seen, Does.StartWith("/dev/pts/"), "the link points at the pty");
        var scan = CliRunner.Run("hw", "scan", "--port", link);
        Assert.That(scan.Out, Does.Contain("2 servo(s)"));
        thread.Join();
        Assert.That(exit, Is.Zero);
        Assert.That(output, Does.Contain("serving 2 simulated servos (IDs 1, 2)").And.Contain("stopped:"));
        Assert.That(new FileInfo(link).LinkTarget, Is.Null, "the link is removed");
    }

    [Test]
    public void SimRobotCommand_RefusesToReplaceARealFile()
    {
        string file = Path.Combine(_root, "not-a-link");
        File.WriteAllText(file, "precious");
        var (exit, _, stderr) = CliRunner.Run("sim-robot", "dynamixel", "--link", file, "--seconds", "0.1");
        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("refusing to replace"));
        Assert.That(File.ReadAllText(file), Is.EqualTo("precious"));
    }
}

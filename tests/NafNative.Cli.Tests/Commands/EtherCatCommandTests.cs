using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using NafNative.Cli.Robots;
using NUnit.Framework;

namespace NafNative.Cli.Tests.Commands;

/// <summary>naf hw check on ethercat robot files, against simulated CiA 402 drives over UDP on loopback.</summary>
[TestFixture, NonParallelizable]
public sealed class EtherCatCommandTests
{
    private string _root = "";

    [SetUp]
    public void SetUp() => _root = Directory.CreateTempSubdirectory("naf-ec-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    // The 7-drive simulated iiwa robot file on a free UDP port of 127.0.0.1.
    private string WriteRobotFile(Action<JsonNode>? edit = null)
    {
        int port;
        using (var probe = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0))) port = ((IPEndPoint)probe.Client.LocalEndPoint!).Port;
        var doc = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "sim-iiwa-ec-a.json")))!;
        doc["transport"]!["udp"] = $"127.0.0.1:{port}";
        doc["name"] = "test-ec";
        edit?.Invoke(doc);
        string path = Path.Combine(_root, "ec.json");
        File.WriteAllText(path, doc.ToJsonString());
        return path;
    }

    [Test]
    public void HwScan_EtherCatOverUdp_ListsIdentitiesAndWhatEachSiiSays()
    {
        var drives = new[] { new NafNative.Hardware.Simulated.EtherCat.SimulatedCia402Drive(serial: 500), new NafNative.Hardware.Simulated.EtherCat.SimulatedCia402Drive(serial: 501) };
        using var segment = NafNative.Hardware.Simulated.EtherCat.SimulatedEcSegment.ForDrives(drives);
        var (exit, stdout, stderr) = CliRunner.Run("hw", "scan", "--udp", segment.EndPoint.ToString());
        Assert.That(exit, Is.Zero, stdout + stderr);
        Assert.That(stdout, Does.Contain("2 slave(s)"));
        Assert.That(stdout, Does.Match(@"\s1\s+0x1002\s+0x00000F1E\s+0x04020001\s+0x00000001\s+501\s+Init\s+NafNative CiA402 drive"));
        Assert.That(stdout, Does.Contain("group \"Servo drives\", order \"NAF-402-SIM\", CoE details 0x0F (SDO, SDO info, PDO assign, PDO config)"));
        Assert.That(stdout, Does.Contain("mailbox out 0x1000/128, in 0x1080/128, protocols CoE"));
        Assert.That(stdout, Does.Contain("SM2 0x1100 length    0  control 0x64  outputs"));
        Assert.That(stdout, Does.Contain("FMMUs: 0 outputs, 1 inputs, 2 SM status"));
        Assert.That(stdout, Does.Contain("RxPDO (outputs) 0x1600 \"RxPDO 1\" on SM2, 88 bits"));
        Assert.That(stdout, Does.Contain("0x60FF:00 32 bits  INTEGER32    Target velocity"));
        Assert.That(stdout, Does.Contain("TxPDO (inputs) 0x1A00 \"TxPDO 1\" on SM3, 88 bits"));
        Assert.That(stdout, Does.Contain("0x6041:00 16 bits  UNSIGNED16   Statusword"));
        Assert.That(stdout, Does.Not.Contain("WRONG"));
    }

    [Test]
    public void HwScan_EtherCatWithPcap_WritesEveryFrameOfTheScan()
    {
        using var segment = NafNative.Hardware.Simulated.EtherCat.SimulatedEcSegment.ForDrives([new NafNative.Hardware.Simulated.EtherCat.SimulatedCia402Drive()]);
        string pcap = Path.Combine(_root, "scan.pcap");
        var (exit, stdout, stderr) = CliRunner.Run("hw", "scan", "--udp", segment.EndPoint.ToString(), "--pcap", pcap);
        Assert.That(exit, Is.Zero, stdout + stderr);
        var m = System.Text.RegularExpressions.Regex.Match(stdout, @"(\d+) frames written to ");
        Assert.That(m.Success, stdout);
        int frames = int.Parse(m.Groups[1].Value);
        Assert.That(frames, Is.GreaterThan(100).And.EqualTo(2 * segment.FramesReceived), "each request and its reply");
        byte[] file = File.ReadAllBytes(pcap);
        Assert.That(BitConverter.ToUInt32(file, 0), Is.EqualTo(0xA1B2C3D4u), "pcap magic");
        Assert.That(BitConverter.ToUInt32(file, 20), Is.EqualTo(1u), "Ethernet link type");
    }

    [Test]
    public void HwCheck_EtherCatRobot_ListsSlavesMappingsAndJoints_AndMoveJogsEveryJoint()
    {
        string robot = WriteRobotFile();
        using var sim = SimulatedEtherCatRobot.Start(RobotSetup.Load(robot), 10);
        var (exit, stdout, stderr) = CliRunner.Run("hw", "check", "--robot", robot, "--move", "--robot-time-scale", "10");
        Assert.That(exit, Is.Zero, stdout + stderr);
        Assert.That(stdout, Does.Contain("7 slave(s)").And.Contain("0x00000F1E  0x04020001").And.Contain("NafNative CiA402 drive"));
        Assert.That(stdout, Does.Match(@"\s6\s+0x1007\s.*\s1006\s+Op\s"), "identity and AL state of the last slave");
        Assert.That(stdout, Does.Contain("slave 0 PDO outputs 0x1600 [0x6040:00/16, 0x607A:00/32, 0x60FF:00/32, 0x6060:00/8] (11 B)"));
        Assert.That(stdout, Does.Contain("the drive's own (the robot file names none)"));
        Assert.That(stdout, Does.Match(@"a4\s+3\s+SwitchOnDisabled\s+none\s+-1\.500"), "402 state, error code and the home angle");
        Assert.That(stdout, Does.Contain("inside the workspace box").And.Contain("jog a7").And.Contain("check passed"));
        Assert.That(stdout, Does.Not.Contain("!"));
    }

    [Test]
    public void HwCheck_EtherCatRobotWithAPdoLayout_WritesItAndReportsItAsTheFiles()
    {
        string robot = WriteRobotFile(doc => doc["transport"]!["pdo"] = new JsonObject
        {
            ["rx"] = new JsonObject { ["0x1600"] = new JsonArray("0x60FF:0:32", "0x6040:0:16") },
            ["tx"] = new JsonObject { ["0x1A00"] = new JsonArray("0x6041:0:16", "0x6064:0:32", "0x606C:0:32", "0x603F:0:16") },
        });
        using var sim = SimulatedEtherCatRobot.Start(RobotSetup.Load(robot), 10);
        var (exit, stdout, stderr) = CliRunner.Run("hw", "check", "--robot", robot);
        Assert.That(exit, Is.Zero, stdout + stderr);
        Assert.That(stdout, Does.Contain("slave 3 PDO outputs 0x1600 [0x60FF:00/32, 0x6040:00/16] (6 B)"));
        Assert.That(stdout, Does.Contain("slave 3 PDO inputs  0x1A00 [0x6041:00/16, 0x6064:00/32, 0x606C:00/32, 0x603F:00/16] (12 B): as the robot file"));
        Assert.That(sim.Drives.Select(d => d.RxMapping.Bytes), Is.All.EqualTo(6), "the drives took the file's layout");
    }

    [Test]
    public void HwCheck_EtherCatDriveInFault_ExitsTwoNamingItsErrorCode()
    {
        string robot = WriteRobotFile();
        using var sim = SimulatedEtherCatRobot.Start(RobotSetup.Load(robot), 10);
        sim.Drives[3].InjectFault();
        var (exit, stdout, _) = CliRunner.Run("hw", "check", "--robot", robot);
        Assert.That(exit, Is.EqualTo(2));
        Assert.That(stdout, Does.Match(@"a4\s+3\s+Fault\s+!\s+0x2310"));
        Assert.That(stdout, Does.Contain("check found 1 problem(s)"));
    }

    [Test]
    public void Train_SlaveDropsToSafeOpError_TheEpisodeEndsAtTheStopAndTrainingGoesOnAfterRecovery()
    {
        string robot = WriteRobotFile(doc => doc["recover_between_episodes"] = true);
        // Time scale 4, not 10: the policy watchdog (2.5 s simulated) then allows 625 ms of wall time, room for a
        // learner starved on a loaded machine; a watchdog stop is not recovered, by design.
        using var sim = SimulatedEtherCatRobot.Start(RobotSetup.Load(robot), 4);
        string run = Path.Combine(_root, "run");
        // Inject the fault in the first episode: 50 cycles (2 frames each) after the drives are enabled, past the
        // short move to the noisy home pose, well before the 100-step episode ends.
        bool dropped = false;
        var watch = new Thread(() =>
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!sim.Drives.All(d => d.State == NafNative.Hardware.EtherCat.Cia402State.OperationEnabled) && DateTime.UtcNow < deadline) Thread.Sleep(2);
            long enabledAt = sim.Segment.FramesReceived;
            while (sim.Segment.FramesReceived < enabledAt + 100 && DateTime.UtcNow < deadline) Thread.Sleep(2);
            sim.Segment.Inject(NafNative.Hardware.Simulated.EtherCat.EcFault.Parse("safeop-error:2"));
            while (!sim.Segment.Slaves[2].ErrorFlag && DateTime.UtcNow < deadline) Thread.Sleep(1);
            dropped = sim.Segment.Slaves[2].ErrorFlag;
        }) { IsBackground = true };
        watch.Start();
        var (exit, stdout, stderr) = CliRunner.Run("train", "--robot", robot, "--robot-time-scale", "4", "--steps", "400", "--out", run);
        watch.Join();
        Assert.That(dropped, Is.True, "slave 2 went to SAFE-OP+ERROR while training ran");
        // Without recovery the run would end at the stop with exit 3; the step it interrupted (if the fault came in
        // an episode rather than a reset) is discarded, counted as physics_resets.
        Assert.That(exit, Is.Zero, stdout + stderr);
        Assert.That(stdout, Does.Contain("finished: 4"), "400 env steps through the drives, the fault in between");
    }

    [Test]
    public void HwCheck_NoSegmentListening_SaysNothingAnswered()
    {
        string robot = WriteRobotFile(doc => doc["transport"]!["timeout_ms"] = 5);
        var (exit, _, stderr) = CliRunner.Run("hw", "check", "--robot", robot);
        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("lost").And.Contain("udp 127.0.0.1:"));
    }
}

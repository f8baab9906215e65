using System.Text.Json.Nodes;
using NafNative.Hardware.EtherCat;
using NafNative.Hardware.Robots;
using NafNative.Hardware.Simulated.EtherCat;
using NafNative.Hardware.Tests.Robots;

namespace NafNative.Hardware.Tests.EtherCat;

/// <summary>PDO assignment and mapping written over CoE in PRE-OP, SyncManagers sized from what is read back, and
/// the robot runtime driving the drives through a remapped layout.</summary>
[NonParallelizable]
public sealed class EcPdoRemapTests
{
    // A subset, in another order: no target position, no mode (set by SDO instead); error code added to the inputs.
    private static readonly EcPdoMapping Outputs = new(0x1600, new(Cia402.TargetVelocity, 0, 32), new(Cia402.ControlwordIndex, 0, 16));
    private static readonly EcPdoMapping Inputs = new(0x1A00, new(Cia402.VelocityActual, 0, 32), new(Cia402.ErrorCode, 0, 16),
        new(Cia402.PositionActual, 0, 32), new(Cia402.StatuswordIndex, 0, 16));

    private static (SimulatedEcSegment Segment, EcMaster Master, SimulatedCia402Drive Drive) PreOp()
    {
        var drive = new SimulatedCia402Drive();
        var segment = SimulatedEcSegment.ForDrives([drive]);
        var master = new EcMaster(new UdpEcLink(segment.EndPoint));
        master.Discover();
        master.ToPreOp(1);
        return (segment, master, drive);
    }

    [Test]
    public void WritePdoMapping_InPreOp_ReadsBackAndTheDriveExpectsTheNewSizes()
    {
        var (segment, master, drive) = PreOp();
        using (segment)
        using (master)
        {
            Assert.That(master.ReadPdoMapping(EcMaster.FirstStation, EcMaster.RxPdoAssign), Is.EqualTo(EcPdoMapping.StandardOutputs), "the default");
            master.WritePdoMapping(EcMaster.FirstStation, EcMaster.RxPdoAssign, Outputs);
            master.WritePdoMapping(EcMaster.FirstStation, EcMaster.TxPdoAssign, Inputs);
            var rx = master.ReadPdoMapping(EcMaster.FirstStation, EcMaster.RxPdoAssign);
            var tx = master.ReadPdoMapping(EcMaster.FirstStation, EcMaster.TxPdoAssign);
            Assert.That(rx, Is.EqualTo(Outputs), rx.ToString());
            Assert.That(tx, Is.EqualTo(Inputs), tx.ToString());
            Assert.That((rx.Bytes, tx.Bytes), Is.EqualTo((6, 12)));
            Assert.That((drive.Esc.OutputBytes, drive.Esc.InputBytes), Is.EqualTo((6, 12)));
            Assert.That(tx.OffsetOf(Cia402.StatuswordIndex), Is.EqualTo(10));
            // SyncManagers sized from the old layout are refused; from the mapping read back, accepted.
            master.WriteSm(EcMaster.FirstStation, 2, 0x1100, 11, 0x64);
            master.WriteSm(EcMaster.FirstStation, 3, 0x1180, 11, 0x20);
            var ex = Assert.Throws<EtherCatException>(() => master.RequestState(EcMaster.FirstStation, AlState.SafeOp));
            Assert.That(ex!.AlStatusCode, Is.EqualTo(0x001D));
            master.ConfigureProcessData([(rx.Bytes, tx.Bytes)]);
            Assert.That(segment.Slaves[0].State, Is.EqualTo(AlState.SafeOp));
        }
    }

    [Test]
    public void WritePdoMapping_AnObjectTheDriveCannotMap_IsAbortedNamingTheEntry()
    {
        var (segment, master, _) = PreOp();
        using (segment)
        using (master)
        {
            var bad = new EcPdoMapping(0x1600, new(Cia402.ControlwordIndex, 0, 16), new(0x1018, 1, 32));
            var ex = Assert.Throws<EtherCatException>(() => master.WritePdoMapping(EcMaster.FirstStation, EcMaster.RxPdoAssign, bad));
            Assert.That(ex!.SdoAbortCode, Is.EqualTo(SdoAbortCodes.CannotMap));
            Assert.That(ex.Message, Does.Contain("SDO 0x1600:02 aborted").And.Contain("cannot be mapped to the PDO"));
        }
    }

    [Test]
    public void MappingEntry_WrittenWhileTheCountIsNotZero_IsRefused()
    {
        var (segment, master, _) = PreOp();
        using (segment)
        using (master)
        {
            var ex = Assert.Throws<EtherCatException>(() => master.SdoDownload(EcMaster.FirstStation, 0x1600, 1, [0x10, 0x00, 0xFF, 0x60]));
            Assert.That(ex!.SdoAbortCode, Is.EqualTo(SdoAbortCodes.DeviceState), "subindex 0 must be 0 while the entries change (ETG.1000.6)");
        }
    }

    private static void Remap(JsonObject doc)
    {
        doc["transport"]!["pdo"] = new JsonObject
        {
            ["rx"] = new JsonObject { ["0x1600"] = new JsonArray("0x60FF:0:32", "0x6040:0:16") },
            ["tx"] = new JsonObject { ["0x1A00"] = new JsonArray("0x606C:0:32", "0x603F:0:16", "0x6064:0:32", "0x6041:0:16") },
        };
    }

    [Test]
    public void Robot_WithARemappedLayout_DrivesTheDrivesThroughIt()
    {
        // The policy watchdog is not what this test is about: 1 s leaves room for a test thread starved on a loaded
        // machine (100 ms tripped at 109.8 ms while three other builds shared the 2 cores).
        using var robot = new EcRobot(doc =>
        {
            Remap(doc);
            doc["watchdog_ms"] = 1000;
        });
        robot.Controller.Start();
        Assert.That(robot.Drives.Select(d => d.RxMapping), Is.All.EqualTo(Outputs));
        Assert.That(robot.Drives.Select(d => d.TxMapping), Is.All.EqualTo(Inputs));
        Assert.That(robot.Transport.Mappings.Select(m => m.Outputs.Bytes), Is.All.EqualTo(6));
        Assert.That(robot.Drives.Select(d => d.Mode), Is.All.EqualTo(Cia402.CyclicSynchronousVelocity), "modes of operation set by SDO, as it is not mapped");
        robot.Controller.Arm();
        var q = new double[3];
        var qd = new double[3];
        robot.Controller.ReadState(q, qd);
        double start = q[0], elbow = q[1];
        for (int i = 0; i < 25; i++) robot.Controller.WaitForState(robot.Controller.Command([0.5, 0, 0]), q, qd);
        Assert.That(q[0] - start, Is.InRange(0.5 * 0.5 * 0.5, 0.5 * 0.5 * 1.2), "shoulder moved ≈ 0.5 rad/s × 0.5 s through the remapped target velocity");
        Assert.That(q[1], Is.EqualTo(elbow).Within(1e-3), "the elbow was commanded 0");
        Assert.That(robot.Drives[0].Position / robot.Description.Joints[0].CountsPerRadian, Is.EqualTo(q[0]).Within(0.05), "the position read through the remapped inputs is the drive's shaft");
        long limit = (long)(TestRobot.MaxVelocity * robot.Description.Joints[0].CountsPerRadian) + 1;
        Assert.That(robot.Drives[0].MaxTargetVelocity, Is.InRange(1, limit));
    }

    [Test]
    public void Robot_LayoutWithoutTheStatusword_IsRefusedNamingJointAndObject()
    {
        using var robot = new EcRobot(doc =>
        {
            Remap(doc);
            doc["transport"]!["pdo"]!["tx"] = new JsonObject { ["0x1A00"] = new JsonArray("0x6064:0:32", "0x606C:0:32") };
        });
        var ex = Assert.Throws<IOException>(() => robot.Controller.Start());
        Assert.That(ex!.Message, Does.Contain("shoulder (slave 0): statusword 0x6041 is not in its TxPDO mapping").And.Contain("transport.pdo"));
    }

    [TestCase("{\"rx\": {\"0x1600\": [\"0x60FF:0\"]}}", "transport.pdo.rx.0x1600[0]")]
    [TestCase("{\"rx\": {\"0x1A00\": [\"0x60FF:0:32\"]}}", "transport.pdo.rx.0x1A00 is not a PDO mapping index 0x1600")]
    [TestCase("{\"tx\": {\"0x1A00\": [\"0x6041:0:12\"]}}", "whole bytes only")]
    [TestCase("{\"rpdo\": {}}", "transport.pdo.rpdo is not a known field")]
    public void RobotFile_BadPdoLayout_NamesTheField(string pdo, string expected)
    {
        var ex = Assert.Throws<InvalidDataException>(() => new EcRobot(doc => doc["transport"]!["pdo"] = JsonNode.Parse(pdo)));
        Assert.That(ex!.Message, Does.Contain(expected));
    }
}

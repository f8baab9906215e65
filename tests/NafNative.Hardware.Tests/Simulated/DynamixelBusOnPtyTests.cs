using System.Buffers.Binary;
using NafNative.Hardware.Dynamixel;
using NafNative.Hardware.Simulated;
using CT = NafNative.Hardware.Dynamixel.ControlTable;

namespace NafNative.Hardware.Tests.Simulated;

[NonParallelizable]
public sealed class DynamixelBusOnPtyTests
{
    [Test]
    public void PingAndScan_FindEveryServoWithItsModel()
    {
        using var f = new ChainFixture((1, ServoModel.Xm430W350), (2, ServoModel.Xl430W250), (5, ServoModel.Xl330M288));
        var ping = f.Bus.Ping(2);
        Assert.That(ping.ModelNumber, Is.EqualTo(1060));
        Assert.That(ping.Model, Is.EqualTo(ServoModel.Xl430W250));
        var found = f.Bus.Scan();
        Assert.That(found.Select(p => (p.Id, p.ModelNumber)), Is.EqualTo(new[] { ((byte)1, (ushort)1020), ((byte)2, (ushort)1060), ((byte)5, (ushort)1200) }));
    }

    [Test]
    public void ReadWrite_RoundTripRegisters()
    {
        using var f = new ChainFixture((1, ServoModel.Xm430W350));
        Assert.That(f.Bus.Read2(1, CT.ModelNumber), Is.EqualTo(1020));
        Assert.That(f.Bus.Read4(1, CT.VelocityLimit), Is.EqualTo(200));
        f.Bus.Write1(1, CT.OperatingMode, CT.ModeVelocity);
        Assert.That(f.Bus.Read1(1, CT.OperatingMode), Is.EqualTo(CT.ModeVelocity));
        f.Bus.Write4(1, CT.GoalVelocity, -123);
        Assert.That(f.Bus.Read4(1, CT.GoalVelocity), Is.EqualTo(-123));
    }

    [Test]
    public void RegWriteThenAction_AppliesOnlyAtAction()
    {
        using var f = new ChainFixture((1, ServoModel.Xm430W350), (2, ServoModel.Xm430W350));
        f.Bus.Write1(1, CT.OperatingMode, CT.ModeVelocity);
        Span<byte> v = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(v, 77);
        f.Bus.RegWrite(1, CT.GoalVelocity, v);
        Assert.That(f.Bus.Read4(1, CT.GoalVelocity), Is.Zero);
        Assert.That(f.Bus.Read1(1, CT.RegisteredInstruction), Is.EqualTo(1));
        f.Bus.Action();
        Assert.That(f.Bus.Read4(1, CT.GoalVelocity), Is.EqualTo(77));
        var ex = Assert.Throws<DynamixelStatusException>(() => f.Bus.Action(2));
        Assert.That(ex!.Error, Is.EqualTo(DynamixelStatusError.InstructionError));
    }

    [Test]
    public void SyncAndBulk_ReadAndWriteEveryServoInOrder()
    {
        using var f = new ChainFixture((1, ServoModel.Xm430W350), (2, ServoModel.Xm430W350), (3, ServoModel.Xl430W250));
        byte[] ids = [1, 2, 3];
        var data = new byte[12];
        for (int i = 0; i < 3; i++) BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(4 * i), 1000 + 100 * i);
        f.Bus.SyncWrite(CT.GoalPosition, 4, ids, data);
        var back = new byte[12];
        var errors = new byte[3];
        f.Bus.SyncRead(CT.GoalPosition, 4, ids, back, errors);
        Assert.That(back, Is.EqualTo(data));
        Assert.That(errors, Is.All.Zero);

        BulkWriteEntry[] writes = [new(1, CT.Led, 1), new(3, CT.ProfileVelocity, 4)];
        f.Bus.BulkWrite(writes, [1, 50, 0, 0, 0]);
        BulkReadEntry[] reads = [new(1, CT.Led, 1), new(2, CT.ModelNumber, 2), new(3, CT.ProfileVelocity, 4)];
        var bulk = new byte[7];
        f.Bus.BulkRead(reads, bulk, errors);
        Assert.That(bulk, Is.EqualTo(new byte[] { 1, 0xFC, 0x03, 50, 0, 0, 0 }));
    }

    [Test]
    public void EepromWriteWithTorqueOn_ThrowsAccessErrorNamingIdAndAddress()
    {
        using var f = new ChainFixture((4, ServoModel.Xm430W350));
        f.Bus.Write1(4, CT.TorqueEnable, 1);
        var ex = Assert.Throws<DynamixelStatusException>(() => f.Bus.Write1(4, CT.OperatingMode, CT.ModeVelocity));
        Assert.That(ex!.Error, Is.EqualTo(DynamixelStatusError.AccessError));
        Assert.That(ex.Message, Does.Contain("servo 4").And.Contain("address 11").And.Contain("Access Error"));
        Assert.That(f.Bus.Read1(4, CT.OperatingMode), Is.EqualTo(CT.ModePosition), "a refused write changes nothing");
    }

    [Test]
    public void GoalVelocityBeyondLimit_ThrowsDataLimitError()
    {
        using var f = new ChainFixture((1, ServoModel.Xm430W350));
        f.Bus.Write1(1, CT.OperatingMode, CT.ModeVelocity);
        var ex = Assert.Throws<DynamixelStatusException>(() => f.Bus.Write4(1, CT.GoalVelocity, 201));
        Assert.That(ex!.Error, Is.EqualTo(DynamixelStatusError.DataLimitError));
        var range = Assert.Throws<DynamixelStatusException>(() => f.Bus.Write1(1, CT.OperatingMode, 7));
        Assert.That(range!.Error, Is.EqualTo(DynamixelStatusError.DataRangeError));
    }

    [TestCase("drop:1")]
    [TestCase("crc:2")]
    [TestCase("delay:25:1")]
    public void TransientReplyFault_IsRetriedAndTheReadSucceeds(string fault)
    {
        using var f = new ChainFixture((1, ServoModel.Xm430W350));
        f.Bus.Write4(1, CT.GoalPosition, 1111);
        f.Chain.Inject(ServoFault.Parse(fault));
        Assert.That(f.Bus.Read2(1, CT.ModelNumber), Is.EqualTo(1020));
        Assert.That(f.Bus.RetriedAttempts, Is.GreaterThan(0));
        // A late reply to the timed-out attempt must not be taken for the next transaction's.
        Assert.That(f.Bus.Read4(1, CT.GoalPosition), Is.EqualTo(1111));
        Assert.That(f.Bus.Read1(1, CT.OperatingMode), Is.EqualTo(CT.ModePosition));
    }

    [Test]
    public void PersistentDrop_ThrowsCommunicationErrorNamingTheServoAfterEveryRetry()
    {
        using var f = new ChainFixture((3, ServoModel.Xm430W350));
        f.Chain.Inject(new ServoFault(ServoFaultKind.DropReply, Count: 3));
        var ex = Assert.Throws<DynamixelCommunicationException>(() => f.Bus.Read4(3, CT.PresentPosition));
        Assert.That(ex!.Id, Is.EqualTo(3));
        Assert.That(ex.Attempts, Is.EqualTo(3));
        Assert.That(ex.Message, Does.Contain("servo 3").And.Contain("address 132").And.Contain("no status packet"));
        Assert.That(f.Bus.Read2(3, CT.ModelNumber), Is.EqualTo(1020), "the bus recovers once replies come back");
    }

    [Test]
    public void PersistentCrc_ThrowsNamingCorruptedReplies()
    {
        using var f = new ChainFixture((3, ServoModel.Xm430W350));
        f.Chain.Inject(new ServoFault(ServoFaultKind.CorruptCrc, Count: 3));
        var ex = Assert.Throws<DynamixelCommunicationException>(() => f.Bus.Read4(3, CT.PresentPosition));
        Assert.That(ex!.CorruptPackets, Is.EqualTo(3));
        Assert.That(ex.Message, Does.Contain("corrupted"));
    }

    [Test]
    public void UnpluggedServoInSyncRead_ThrowsNamingThatServo()
    {
        using var f = new ChainFixture((1, ServoModel.Xm430W350), (2, ServoModel.Xm430W350), (3, ServoModel.Xm430W350));
        f.Chain.Inject(new ServoFault(ServoFaultKind.Unplug, Id: 2));
        var ex = Assert.Throws<DynamixelCommunicationException>(() =>
            f.Bus.SyncRead(CT.PresentPosition, 4, [1, 2, 3], new byte[12], new byte[3]));
        Assert.That(ex!.Id, Is.EqualTo(2));
    }

    [Test]
    public void Overload_SetsAlertAndHardwareErrorUntilReboot()
    {
        using var f = new ChainFixture((1, ServoModel.Xm430W350));
        f.Bus.Write1(1, CT.TorqueEnable, 1);
        f.Chain.Inject(new ServoFault(ServoFaultKind.Overload, Id: 1));
        var errors = new byte[1];
        f.Bus.SyncRead(CT.PresentPosition, 4, [1], new byte[4], errors);
        Assert.That(errors[0] & DynamixelErrorText.AlertBit, Is.Not.Zero);
        Assert.That(f.Bus.Read1(1, CT.HardwareErrorStatus), Is.EqualTo(HardwareErrorBits.Overload));
        Assert.That(f.Bus.Read1(1, CT.TorqueEnable), Is.Zero, "shutdown turned the torque off");
        Assert.That(f.Bus.LastAlert, Is.True);
        f.Bus.Reboot(1);
        Assert.That(f.Bus.Read1(1, CT.HardwareErrorStatus), Is.Zero);
        Assert.That(f.Bus.LastAlert, Is.False);
    }

    [Test]
    public void StatusReturnLevelOne_WritesGetNoReplyAndTheBusDoesNotWaitForOne()
    {
        using var f = new ChainFixture((1, ServoModel.Xm430W350));
        f.Bus.Write1(1, CT.StatusReturnLevel, 1);
        using var quiet = new DynamixelBus(new SerialPortLink(f.Chain.PortPath, 1_000_000), new DynamixelBusOptions { StatusReturnLevel = 1 });
        quiet.Write1(1, CT.Led, 1);
        Assert.That(quiet.Read1(1, CT.Led), Is.EqualTo(1));
        Assert.That(quiet.Timeouts, Is.Zero);
    }

    [Test]
    public void BusWatchdog_TripsWhenTheMasterGoesSilent_AndGoalWritesAreRefused()
    {
        using var f = new ChainFixture((1, ServoModel.Xm430W350));
        f.Bus.Write1(1, CT.OperatingMode, CT.ModeVelocity);
        f.Bus.Write1(1, CT.BusWatchdog, 2); // 40 ms
        f.Bus.Write1(1, CT.TorqueEnable, 1);
        f.Bus.Write4(1, CT.GoalVelocity, 100);
        Thread.Sleep(150);
        Assert.That(f.Bus.Read1(1, CT.BusWatchdog), Is.EqualTo(0xFF));
        Assert.That(f.Bus.Read4(1, CT.GoalVelocity), Is.Zero, "a tripped watchdog stops the motor");
        var ex = Assert.Throws<DynamixelStatusException>(() => f.Bus.Write4(1, CT.GoalVelocity, 50));
        Assert.That(ex!.Error, Is.EqualTo(DynamixelStatusError.DataRangeError));
        f.Bus.Write1(1, CT.BusWatchdog, 0);
        f.Bus.Write4(1, CT.GoalVelocity, 50);
    }

    [Test]
    public void VelocityMode_JointMovesAtTheCommandedSpeed()
    {
        using var f = new ChainFixture((1, ServoModel.Xm430W350));
        f.Bus.Write1(1, CT.OperatingMode, CT.ModeVelocity);
        f.Bus.Write1(1, CT.TorqueEnable, 1);
        int start = f.Bus.Read4(1, CT.PresentPosition);
        f.Bus.Write4(1, CT.GoalVelocity, 100); // 2.4 rad/s
        Thread.Sleep(300);
        int velocity = f.Bus.Read4(1, CT.PresentVelocity);
        int moved = f.Bus.Read4(1, CT.PresentPosition) - start;
        Assert.That(velocity, Is.InRange(95, 105));
        Assert.That(moved, Is.GreaterThan(300), "≈ 2.4 rad/s × 0.3 s = 0.72 rad ≈ 470 ticks");
    }
}

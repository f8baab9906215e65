using NafNative.Hardware.EtherCat;
using NafNative.Hardware.Simulated.EtherCat;

namespace NafNative.Hardware.Tests.EtherCat;

/// <summary>The master against simulated slaves over EtherCAT-over-UDP on loopback.</summary>
[NonParallelizable]
public sealed class EcBringupTests
{
    private static SimulatedEcSegment Segment(int slaves) =>
        new(Enumerable.Range(0, slaves).Select(i => new SimulatedEsc(0x0000_0F1E, 0x0402_0001, 3, 1000u + (uint)i, $"NafNative drive {i}", 11, 11)).ToArray());

    [Test]
    public void Discover_ThreeSlaves_CountsAddressesAndReadsTheirSii()
    {
        using var segment = Segment(3);
        using var master = new EcMaster(new UdpEcLink(segment.EndPoint));
        var slaves = master.Discover();
        Assert.That(slaves, Has.Count.EqualTo(3));
        Assert.That(slaves.Select(s => s.Station), Is.EqualTo(new ushort[] { 0x1001, 0x1002, 0x1003 }));
        Assert.That(segment.Slaves.Select(s => s.StationAddress), Is.EqualTo(new ushort[] { 0x1001, 0x1002, 0x1003 }), "each slave took its address by position");
        Assert.That(slaves.Select(s => s.Serial), Is.EqualTo(new uint[] { 1000, 1001, 1002 }));
        Assert.That(slaves[1].Vendor, Is.EqualTo(0x0F1Eu));
        Assert.That(slaves[1].Product, Is.EqualTo(0x0402_0001u));
        Assert.That(slaves[2].Name, Is.EqualTo("NafNative drive 2"));
        Assert.That(slaves.Select(s => s.State), Is.All.EqualTo(AlState.Init));
    }

    [Test]
    public void InitToPreOp_AfterTheMailboxIsConfigured_Succeeds()
    {
        using var segment = Segment(2);
        using var master = new EcMaster(new UdpEcLink(segment.EndPoint));
        var slaves = master.Discover();
        foreach (var s in slaves)
        {
            master.ConfigureMailbox(s.Station);
            master.RequestState(s.Station, AlState.PreOp);
        }
        Assert.That(segment.Slaves.Select(s => s.State), Is.All.EqualTo(AlState.PreOp));
    }

    [Test]
    public void PreOpWithoutMailbox_IsRefusedWithTheDecodedCode_AndTheErrorIsAcknowledged()
    {
        using var segment = Segment(1);
        using var master = new EcMaster(new UdpEcLink(segment.EndPoint));
        var slave = master.Discover()[0];
        var ex = Assert.Throws<EtherCatException>(() => master.RequestState(slave.Station, AlState.PreOp));
        Assert.That(ex!.AlStatusCode, Is.EqualTo(0x0016));
        Assert.That(ex.Message, Does.Contain("0x1001").And.Contain("invalid mailbox configuration"));
        Assert.That(segment.Slaves[0].ErrorFlag, Is.False, "the master acknowledged the error");
        master.ConfigureMailbox(slave.Station);
        master.RequestState(slave.Station, AlState.PreOp);
    }

    [Test]
    public void InitStraightToOp_IsAnInvalidStateChange()
    {
        using var segment = Segment(1);
        using var master = new EcMaster(new UdpEcLink(segment.EndPoint));
        var slave = master.Discover()[0];
        var ex = Assert.Throws<EtherCatException>(() => master.RequestState(slave.Station, AlState.Op));
        Assert.That(ex!.AlStatusCode, Is.EqualTo(0x0011));
        Assert.That(ex.Message, Does.Contain("invalid requested state change"));
    }

    [Test]
    public void SafeOpWithWrongProcessDataSize_IsRefusedAsInvalidOutputConfiguration()
    {
        using var segment = Segment(1);
        using var master = new EcMaster(new UdpEcLink(segment.EndPoint));
        var slave = master.Discover()[0];
        master.ConfigureMailbox(slave.Station);
        master.RequestState(slave.Station, AlState.PreOp);
        master.WriteSm(slave.Station, 2, 0x1100, 8, 0x64); // the drive's outputs are 11 bytes
        master.WriteSm(slave.Station, 3, 0x1180, 11, 0x20);
        var ex = Assert.Throws<EtherCatException>(() => master.RequestState(slave.Station, AlState.SafeOp));
        Assert.That(ex!.AlStatusCode, Is.EqualTo(0x001D));
        master.WriteSm(slave.Station, 2, 0x1100, 11, 0x64);
        master.RequestState(slave.Station, AlState.SafeOp);
        Assert.That(segment.Slaves[0].State, Is.EqualTo(AlState.SafeOp));
    }

    [Test]
    public void LostFrames_AreRetriedAndCounted_AndPersistentLossNamesTheDatagram()
    {
        using var segment = Segment(2);
        using var master = new EcMaster(new UdpEcLink(segment.EndPoint), TimeSpan.FromMilliseconds(20), retries: 2);
        segment.DropFrames(2);
        Assert.That(master.CountSlaves(), Is.EqualTo(2));
        Assert.That(master.LostFrames, Is.EqualTo(2));
        segment.DropFrames(3);
        var ex = Assert.Throws<EtherCatException>(() => master.CountSlaves());
        Assert.That(ex!.Message, Does.Contain("Brd").And.Contain("lost 3 times"));
        Assert.That(master.CountSlaves(), Is.EqualTo(2), "the link recovers");
    }

    [Test]
    public void CorruptedReplies_AreRejectedCountedAndRetriedAtOnce_AndPersistentCorruptionIsReported()
    {
        using var segment = Segment(2);
        using var master = new EcMaster(new UdpEcLink(segment.EndPoint), TimeSpan.FromMilliseconds(200), retries: 2);
        Assert.That(master.Discover(), Has.Count.EqualTo(2));
        segment.Inject(EcFault.Parse("corrupt:2")); // one reply with a wrong length, one with an impossible working counter
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Span<byte> type = stackalloc byte[2];
        Assert.That(master.Transact(EcCommand.Fprd, EcMaster.FirstStation, 0x0000, type), Is.EqualTo(1));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromMilliseconds(150)), "no wait for a timeout: a damaged reply is resent at once");
        Assert.That(type[0], Is.EqualTo(0x11), "the data of the intact reply");
        Assert.That(master.CorruptFrames, Is.EqualTo(2));
        Assert.That(master.LostFrames, Is.Zero);
        Assert.That(segment.FramesCorrupted, Is.EqualTo(2));
        segment.Inject(EcFault.Parse("corrupt:3"));
        var ex = Assert.Throws<EtherCatException>(() => master.ReadAlStatus(EcMaster.FirstStation + 1));
        Assert.That(ex!.Message, Does.Contain("no intact reply in 3 attempts").And.Contain("corrupted 3 times"));
        Assert.That(master.CountSlaves(), Is.EqualTo(2), "the link recovers");
    }

    [Test]
    public void CorruptedProcessData_IsNotTakenAsAWorkingCounterError()
    {
        var drives = new[] { new SimulatedCia402Drive(), new SimulatedCia402Drive() };
        using var segment = SimulatedEcSegment.ForDrives(drives);
        using var master = new EcMaster(new UdpEcLink(segment.EndPoint));
        master.Discover();
        var image = master.ConfigureProcessData(2, 11, 11);
        image.Exchange(); // valid outputs before OP
        master.RequestState(EcMaster.FirstStation, AlState.Op);
        master.RequestState(EcMaster.FirstStation + 1, AlState.Op);
        Assert.That(image.Exchange(), Is.True);
        long errors = image.WorkingCounterErrors;
        segment.Inject(EcFault.Parse("corrupt:2"));
        Assert.That(image.Exchange(), Is.True);
        Assert.That(image.WorkingCounterErrors, Is.EqualTo(errors), "a flipped working counter is rejected as damage and the LRW resent, not counted against the slaves");
        Assert.That(master.CorruptFrames, Is.EqualTo(2));
    }

    [Test]
    public void Lrw_ThroughThreeFmmusOfOneSlave_CountsTheSlaveOncePerDirection()
    {
        // SOEM maps a third FMMU onto the mailbox status (0x080D) next to the inputs; an ESC still adds 1 for reading
        // and 2 for writing per datagram, so SOEM expects 3 per slave (it saw 4 per slave before this was right).
        using var segment = SimulatedEcSegment.ForDrives([new SimulatedCia402Drive()]);
        using var master = new EcMaster(new UdpEcLink(segment.EndPoint));
        master.Discover();
        var image = master.ConfigureProcessData(1, 11, 11);
        master.WriteFmmu(EcMaster.FirstStation, 2, (uint)image.Length, 1, 0x080D, write: false);
        image.Exchange();
        master.RequestState(EcMaster.FirstStation, AlState.Op);
        var lrw = new byte[image.Length + 1];
        Assert.That(master.Transact(EcCommand.Lrw, 0, 0, lrw), Is.EqualTo(3));
        Assert.That(master.Transact(EcCommand.Lrd, 0, 0, lrw), Is.EqualTo(1));
        Assert.That(master.Transact(EcCommand.Lwr, 0, 0, lrw), Is.EqualTo(1));
    }

    [Test]
    public void NoSegmentListening_DiscoverSaysNothingAnswered()
    {
        int port;
        using (var probe = new System.Net.Sockets.UdpClient(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0)))
            port = ((System.Net.IPEndPoint)probe.Client.LocalEndPoint!).Port;
        using var master = new EcMaster(new UdpEcLink(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port)), TimeSpan.FromMilliseconds(10), retries: 1);
        var ex = Assert.Throws<EtherCatException>(() => master.Discover());
        Assert.That(ex!.Message, Does.Contain("lost 2 times"));
    }
}

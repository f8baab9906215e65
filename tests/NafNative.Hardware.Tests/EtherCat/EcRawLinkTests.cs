using System.Diagnostics;
using NafNative.Hardware.EtherCat;
using NafNative.Hardware.Simulated.EtherCat;

namespace NafNative.Hardware.Tests.EtherCat;

/// <summary>The master on raw Ethernet against simulated slaves at the far end of a veth pair, inside a namespace.</summary>
[NonParallelizable]
public sealed class EcRawLinkTests
{
    [Test]
    public void Discover_OverAVethPairIntoANamespace_FindsAndAddressesEverySlave()
    {
        VethPair.RequireRoot();
        using var veth = VethPair.Create();
        using var segment = SimulatedEcSegment.OnInterface(
            [new SimulatedEsc(0x0F1E, 0x0402_0001, 3, 7, "drive a", 11, 11), new SimulatedEsc(0x0F1E, 0x0402_0001, 3, 8, "drive b", 11, 11)],
            veth.SlaveSide, veth.Namespace);
        using var master = new EcMaster(new RawEthernetLink(veth.MasterSide));
        var slaves = master.Discover();
        Assert.That(slaves.Select(s => (s.Station, s.Serial, s.Name)), Is.EqualTo(new[] { ((ushort)0x1001, 7u, "drive a"), ((ushort)0x1002, 8u, "drive b") }));
        master.ConfigureMailbox(0x1002);
        master.RequestState(0x1002, AlState.PreOp);
        Assert.That(segment.Slaves[1].State, Is.EqualTo(AlState.PreOp));
        Assert.That(master.LostFrames, Is.Zero);
    }

    [Test]
    public void SegmentedSdoAndPdoRemapping_OverAVethPair_WorkAsOverUdp()
    {
        VethPair.RequireRoot();
        using var veth = VethPair.Create();
        string name = "a device name longer than one 128-byte mailbox, so it comes in segments: " + new string('n', 120);
        var drive = new SimulatedCia402Drive(deviceName: name);
        using var segment = SimulatedEcSegment.OnInterface([drive.Esc], veth.SlaveSide, veth.Namespace);
        segment.AttachDrives([drive]);
        using var master = new EcMaster(new RawEthernetLink(veth.MasterSide));
        master.Discover();
        master.ToPreOp(1);
        Assert.That(System.Text.Encoding.ASCII.GetString(master.SdoUpload(EcMaster.FirstStation, 0x1008, 0)), Is.EqualTo(name));
        var outputs = new EcPdoMapping(0x1600, new(Cia402.ControlwordIndex, 0, 16), new(Cia402.TargetVelocity, 0, 32), new(Cia402.ModesOfOperation, 0, 8));
        master.WritePdoMapping(EcMaster.FirstStation, EcMaster.RxPdoAssign, outputs);
        var back = master.ReadPdoMapping(EcMaster.FirstStation, EcMaster.RxPdoAssign);
        Assert.That(back, Is.EqualTo(outputs));
        master.ConfigureProcessData([(back.Bytes, EcPdoMapping.StandardInputs.Bytes)]);
        Assert.That(segment.Slaves[0].State, Is.EqualTo(AlState.SafeOp));
        Assert.That(master.LostFrames + master.CorruptFrames, Is.Zero);
    }

    [Test]
    public void LostFramesOnTheWire_AreRetried()
    {
        VethPair.RequireRoot();
        using var veth = VethPair.Create();
        using var segment = SimulatedEcSegment.OnInterface([new SimulatedEsc(1, 2, 3, 4, "d", 0, 0)], veth.SlaveSide, veth.Namespace);
        using var master = new EcMaster(new RawEthernetLink(veth.MasterSide), TimeSpan.FromMilliseconds(20));
        segment.DropFrames(1);
        Assert.That(master.CountSlaves(), Is.EqualTo(1));
        Assert.That(master.LostFrames, Is.EqualTo(1));
    }

    [Test]
    public void NamespaceAndInterfaces_AreGoneAfterTheTest()
    {
        VethPair.RequireRoot();
        string ns, side;
        using (var veth = VethPair.Create())
        {
            ns = veth.Namespace;
            side = veth.MasterSide;
        }
        Assert.That(File.Exists($"/run/netns/{ns}"), Is.False);
        using var p = Process.Start(new ProcessStartInfo("ip", $"link show {side}") { RedirectStandardError = true, RedirectStandardOutput = true })!;
        p.WaitForExit();
        Assert.That(p.ExitCode, Is.Not.Zero, $"{side} still exists");
    }
}

using System.Buffers.Binary;
using NafNative.Hardware.EtherCat;
using NafNative.Hardware.Simulated.EtherCat;

namespace NafNative.Hardware.Tests.EtherCat;

/// <summary>Captures of the master's traffic with simulated drives — bring-up, SII, CoE (expedited, segmented, an
/// abort), PDO remapping, process data in OP — written by <see cref="PcapCapture"/> and decoded by Debian's tshark:
/// every frame must decode as EtherCAT, the mailboxes as CoE, with no malformed frame and no expert warning or error.</summary>
[NonParallelizable]
public sealed class EcTsharkTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("naf-ec-pcap-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    // A long device name makes the 0x1008 upload segmented.
    private static SimulatedCia402Drive[] Drives() =>
        [new SimulatedCia402Drive(serial: 1, deviceName: "drive with a name longer than one mailbox: " + new string('x', 150)), new SimulatedCia402Drive(serial: 2)];

    private static void Traffic(EcMaster master)
    {
        master.Discover();
        master.ToPreOp(2);
        Assert.That(master.SdoUpload(EcMaster.FirstStation, 0x1008, 0), Has.Length.GreaterThan(150), "segmented upload");
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(master.SdoUpload(EcMaster.FirstStation + 1, 0x1000, 0)), Is.EqualTo(0x0002_0192u));
        Assert.Throws<EtherCatException>(() => master.SdoUpload(EcMaster.FirstStation, 0x2000, 0), "an abort on the wire");
        master.WritePdoMapping(EcMaster.FirstStation + 1, EcMaster.RxPdoAssign, EcPdoMapping.StandardOutputs);
        var outputs = master.ReadPdoMapping(EcMaster.FirstStation + 1, EcMaster.RxPdoAssign);
        var image = master.ConfigureProcessData(2, outputs.Bytes, EcPdoMapping.StandardInputs.Bytes);
        image.Exchange();
        master.RequestState(EcMaster.FirstStation, AlState.Op);
        master.RequestState(EcMaster.FirstStation + 1, AlState.Op);
        for (int i = 0; i < 20; i++) Assert.That(image.Exchange(), Is.True);
    }

    // Two tshark passes: every frame's protocols and the fields checked, then the expert information.
    private static string[][] AssertDecodesCleanly(string pcap, long frames, int? udpPort = null)
    {
        var rows = Tshark.Fields(pcap, udpPort, "frame.protocols", "ecat.cmd", "ecat_mailbox.coe.abortcode", "ecat_mailbox.coe.sdoccsus", "ecat_mailbox.coe.sdoscsus", "eth.src.ig");
        Assert.That(rows, Has.Length.EqualTo(frames), "tshark read every frame written");
        Assert.That(rows.Count(r => r[0].Split(':').Contains("ecat")), Is.EqualTo(frames), "every frame decoded as EtherCAT datagrams");
        Assert.That(rows.Count(r => r[0].Contains("_ws.malformed")), Is.Zero, "malformed frames");
        Assert.That(Tshark.ExpertWarningsAndErrors(pcap, udpPort), Is.Empty, "expert warnings and errors");
        var commands = rows.SelectMany(r => r[1].Split(',')).ToHashSet();
        // BRD, BWR, APWR, FPRD, FPWR, LRW (ETG.1000.4 command numbers).
        Assert.That(commands, Is.SupersetOf(new[] { "0x07", "0x08", "0x02", "0x04", "0x05", "0x0c" }), "the bring-up and cyclic commands are all there");
        Assert.That(rows.Count(r => r[0].Contains("ecat_mailbox")), Is.GreaterThan(20), "the SDO mailboxes decoded as CoE");
        Assert.That(rows.Count(r => r[3].Length > 0 || r[4].Length > 0), Is.GreaterThan(0), "segment transfers recognised");
        Assert.That(rows.Count(r => r[2].Contains("0x06020000")), Is.EqualTo(1), "the abort with its code");
        return rows;
    }

    [Test]
    public void UdpTraffic_WrittenAsPcap_DecodesAsEtherCatWithoutMalformedFramesOrExpertWarnings()
    {
        Tshark.Require();
        using var segment = SimulatedEcSegment.ForDrives(Drives());
        string pcap = Path.Combine(_dir, "udp.pcap");
        long frames;
        using (var capture = new PcapCapture(pcap))
        {
            var link = new UdpEcLink(segment.EndPoint) { Capture = capture };
            using var master = new EcMaster(link);
            Traffic(master);
            frames = capture.Frames;
        }
        var rows = AssertDecodesCleanly(pcap, frames, segment.EndPoint.Port);
        Assert.That(rows.Count(r => r[0].StartsWith("eth:ethertype:ip:udp:ecatf:ecat", StringComparison.Ordinal)), Is.EqualTo(frames), "EtherCAT inside UDP inside IPv4");
    }

    [Test]
    public void RawTrafficOnAVethPair_WrittenAsPcap_DecodesAsEtherCatWithoutMalformedFramesOrExpertWarnings()
    {
        VethPair.RequireRoot();
        Tshark.Require();
        using var veth = VethPair.Create();
        var drives = Drives();
        using var segment = SimulatedEcSegment.OnInterface(drives.Select(d => d.Esc).ToArray(), veth.SlaveSide, veth.Namespace);
        segment.AttachDrives(drives);
        string pcap = Path.Combine(_dir, "raw.pcap");
        long frames;
        using (var capture = new PcapCapture(pcap))
        {
            var link = new RawEthernetLink(veth.MasterSide) { Capture = capture };
            using var master = new EcMaster(link);
            Traffic(master);
            frames = capture.Frames;
        }
        var rows = AssertDecodesCleanly(pcap, frames);
        Assert.That(rows.Count(r => r[0].StartsWith("eth:ethertype:ecatf:ecat", StringComparison.Ordinal)), Is.EqualTo(frames), "EtherCAT right after Ethernet (EtherType 0x88A4)");
        Assert.That(rows.Count(r => r[5] == "1"), Is.Zero, "no group source address either way (SOEM's 01:01:01:01:01:01 is one)");
        Assert.That(Tshark.Count(pcap, "frame.len < 60"), Is.Zero, "padded to the Ethernet minimum both ways");
    }

    [Test]
    public void DamagedFrame_IsReportedMalformed_SoTheCheckCanFail()
    {
        Tshark.Require();
        string pcap = Path.Combine(_dir, "damaged.pcap");
        using (var capture = new PcapCapture(pcap))
        {
            var frame = new byte[60];
            frame.AsSpan(0, 6).Fill(0xFF);
            frame[6] = 0x02;
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), EcFrame.EtherType);
            int at = EcFrame.Begin(frame.AsSpan(14));
            at = EcFrame.AddDatagram(frame.AsSpan(14), at, EcCommand.Brd, 1, 0, 0, 2, stackalloc byte[2]);
            EcFrame.End(frame.AsSpan(14), at);
            capture.Ethernet(frame);
            // The same datagram claiming 40 data bytes: it runs past the frame.
            BinaryPrimitives.WriteUInt16LittleEndian(frame.AsSpan(14 + 2 + 6), 40);
            capture.Ethernet(frame);
        }
        Assert.That(Tshark.Count(pcap, "frame"), Is.EqualTo(2));
        Assert.That(Tshark.Count(pcap, "ecat"), Is.EqualTo(1), "only the intact frame decodes");
        Assert.That(Tshark.Count(pcap, "_ws.malformed"), Is.EqualTo(1));
        Assert.That(Tshark.ExpertWarningsAndErrors(pcap), Has.Some.Contains("Malformed"));
    }
}

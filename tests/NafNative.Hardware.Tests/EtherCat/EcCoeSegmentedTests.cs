using System.Buffers.Binary;
using System.Text;
using NafNative.Hardware.EtherCat;
using NafNative.Hardware.Simulated.EtherCat;

namespace NafNative.Hardware.Tests.EtherCat;

/// <summary>Segmented SDO transfers (objects larger than a mailbox) and aborts, master against the simulated slave.</summary>
[NonParallelizable]
public sealed class EcCoeSegmentedTests
{
    private const ushort Domain = 0x2100;

    // One CoE slave in PRE-OP whose dictionary has a 4 KiB writable domain at 0x2100:00; the master talks to it
    // through a MailboxTamperLink.
    private static (SimulatedEcSegment Segment, EcMaster Master, MailboxTamperLink Link) PreOp(SimulatedEsc? esc = null)
    {
        if (esc is null)
        {
            esc = new SimulatedEsc(0x0F1E, 0x0000_2100, 1, 5, "domain slave", 0, 0, coe: true) { Dictionary = new ObjectDictionary() };
            esc.Dictionary!.AddVariable(Domain, 0, [], 4096, writable: true);
        }
        var segment = new SimulatedEcSegment([esc]);
        var link = new MailboxTamperLink(new UdpEcLink(segment.EndPoint));
        var master = new EcMaster(link);
        master.Discover();
        master.ConfigureMailbox(EcMaster.FirstStation);
        master.RequestState(EcMaster.FirstStation, AlState.PreOp);
        return (segment, master, link);
    }

    private static byte[] Pattern(int n) => Enumerable.Range(0, n).Select(i => (byte)(i * 7 + 3)).ToArray();

    [Test]
    public void Upload_DeviceNameLongerThanTheMailbox_ArrivesWholeThroughSegments()
    {
        string name = "NafNative CiA402 drive with a name longer than one mailbox: " + new string('x', 140);
        var drive = new SimulatedCia402Drive(deviceName: name);
        var (segment, master, link) = PreOp(drive.Esc);
        using (segment)
        using (master)
        {
            byte[] value = master.SdoUpload(EcMaster.FirstStation, 0x1008, 0);
            Assert.That(Encoding.ASCII.GetString(value), Is.EqualTo(name));
            Assert.That(name.Length, Is.GreaterThan(EcMaster.MailboxSize));
            // Initiate response (0x41, 112 bytes), then one last segment of the remaining 88 bytes with toggle 0.
            Assert.That(link.ReplyCommands, Is.EqualTo(new byte[] { 0x41, 0x01 }));
        }
    }

    [TestCase(5)]     // normal transfer, no segment
    [TestCase(112)]   // exactly what the initiate carries
    [TestCase(113)]   // one 1-byte segment (padded to 7, 6 unused)
    [TestCase(119)]   // a 7-byte segment, none unused
    [TestCase(231)]   // initiate + one full segment of 119
    [TestCase(232)]   // + a 1-byte segment
    [TestCase(1000)]  // eight segments, the toggle alternating
    public void DownloadThenUpload_DomainOfAnyLength_RoundTrips(int length)
    {
        var (segment, master, link) = PreOp();
        using (segment)
        using (master)
        {
            byte[] data = Pattern(length);
            master.SdoDownload(EcMaster.FirstStation, Domain, 0, data);
            int segments = length <= 112 ? 0 : (length - 112 + 118) / 119;
            var downloadReplies = link.ReplyCommands.ToArray();
            Assert.That(downloadReplies, Has.Length.EqualTo(1 + segments));
            for (int s = 0; s < segments; s++) Assert.That(downloadReplies[1 + s], Is.EqualTo(s % 2 == 0 ? 0x20 : 0x30), $"segment {s} acknowledged with its toggle");
            Assert.That(segment.Slaves[0].Dictionary!.Get(Domain, 0), Is.EqualTo(data), "what the slave stored");
            link.ReplyCommands.Clear();
            Assert.That(master.SdoUpload(EcMaster.FirstStation, Domain, 0), Is.EqualTo(data));
            Assert.That(link.ReplyCommands, Has.Count.EqualTo(1 + segments));
            for (int s = 0; s < segments; s++) Assert.That(link.ReplyCommands[1 + s] & 0x10, Is.EqualTo(s % 2 == 0 ? 0 : 0x10), $"upload segment {s} toggle");
        }
    }

    [Test]
    public void Upload_SlaveRepeatsAToggle_MasterAbortsWith0x05030000_AndTheSlaveDropsTheTransfer()
    {
        var (segment, master, link) = PreOp();
        using (segment)
        using (master)
        {
            byte[] data = Pattern(600);
            master.SdoDownload(EcMaster.FirstStation, Domain, 0, data);
            int uploadSegments = 0;
            link.Received = m =>
            {
                if ((m[8] & 0xE0) == 0x00 && ++uploadSegments == 2) m[8] ^= 0x10; // the second segment repeats toggle 0
            };
            var ex = Assert.Throws<EtherCatException>(() => master.SdoUpload(EcMaster.FirstStation, Domain, 0));
            Assert.That(ex!.SdoAbortCode, Is.EqualTo(SdoAbortCodes.Toggle));
            Assert.That(ex.Message, Does.Contain("0x1001").And.Contain("0x2100:00").And.Contain("toggle bit not changed (0x05030000)"));
            link.Received = null;
            Assert.That(master.SdoUpload(EcMaster.FirstStation, Domain, 0), Is.EqualTo(data), "the slave took the abort and starts afresh");
        }
    }

    [Test]
    public void Download_MasterSegmentRepeatsAToggle_SlaveAbortsWith0x05030000_AndKeepsTheOldValue()
    {
        var (segment, master, link) = PreOp();
        using (segment)
        using (master)
        {
            byte[] old = Pattern(300);
            master.SdoDownload(EcMaster.FirstStation, Domain, 0, old);
            int downloadSegments = 0;
            link.Sent = m =>
            {
                if ((m[5] & 0x0F) == 3 && (m[8] & 0xE0) == 0x00 && ++downloadSegments == 2) m[8] ^= 0x10;
            };
            var ex = Assert.Throws<EtherCatException>(() => master.SdoDownload(EcMaster.FirstStation, Domain, 0, new byte[400]));
            Assert.That(ex!.SdoAbortCode, Is.EqualTo(SdoAbortCodes.Toggle));
            Assert.That(ex.Message, Does.Contain("slave 0x1001").And.Contain("0x2100:00 aborted").And.Contain("toggle bit not changed (0x05030000)"));
            Assert.That(segment.Slaves[0].Dictionary!.Get(Domain, 0), Is.EqualTo(old));
        }
    }

    [Test]
    public void Handle_DownloadSegmentWithTheSameToggleTwice_AbortsWithTheToggleCode()
    {
        var d = new ObjectDictionary();
        d.AddVariable(Domain, 0, [], 1024, writable: true);
        var initiate = new byte[8 + 112];
        initiate[0] = 0x21;
        BinaryPrimitives.WriteUInt16LittleEndian(initiate.AsSpan(1), Domain);
        BinaryPrimitives.WriteUInt32LittleEndian(initiate.AsSpan(4), 300);
        Assert.That(d.Handle(initiate, AlState.PreOp)![0], Is.EqualTo(0x60));
        var segment = new byte[1 + 119];
        Assert.That(d.Handle(segment, AlState.PreOp)![0], Is.EqualTo(0x20), "first segment, toggle 0");
        byte[] abort = d.Handle(segment, AlState.PreOp)!;
        Assert.That(abort[0], Is.EqualTo(0x80));
        Assert.That(BinaryPrimitives.ReadUInt16LittleEndian(abort.AsSpan(1)), Is.EqualTo(Domain));
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(abort.AsSpan(4)), Is.EqualTo(SdoAbortCodes.Toggle));
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(d.Handle([0x00, 0, 0, 0, 0, 0, 0, 0], AlState.PreOp)!.AsSpan(4)), Is.EqualTo(SdoAbortCodes.BadCommand),
            "no transfer in progress after the abort");
    }

    [Test]
    public void Download_LongerThanTheDomainHolds_IsAbortedAsTooLong()
    {
        var (segment, master, _) = PreOp();
        using (segment)
        using (master)
        {
            var ex = Assert.Throws<EtherCatException>(() => master.SdoDownload(EcMaster.FirstStation, Domain, 0, new byte[5000]));
            Assert.That(ex!.SdoAbortCode, Is.EqualTo(SdoAbortCodes.LengthTooHigh));
            Assert.That(ex.Message, Does.Contain("length of service parameter too high"));
        }
    }

    // A peer that sends the abort command byte with other bits set (0x90 was seen from a real slave,
    // shared/HARDWARE.md §2.5) must still be read as an abort, with the slave, the object and the code's sentence.
    [TestCase((byte)0x80)]
    [TestCase((byte)0x90)]
    [TestCase((byte)0x9F)]
    public void Upload_SlaveAnswersWithAnAbortByte_MasterRaisesNamingSlaveObjectAndCode(byte abortByte)
    {
        var (segment, master, link) = PreOp(new SimulatedCia402Drive().Esc);
        using (segment)
        using (master)
        {
            link.Received = m => { if (m[8] == 0x80) m[8] = abortByte; };
            var ex = Assert.Throws<EtherCatException>(() => master.SdoUpload(EcMaster.FirstStation, 0x2000, 0));
            Assert.That(link.ReplyCommands, Is.EqualTo(new[] { abortByte }), "the slave's answer, as the master saw it");
            Assert.That(ex!.SdoAbortCode, Is.EqualTo(SdoAbortCodes.NoObject));
            Assert.That(ex.Station, Is.EqualTo(EcMaster.FirstStation));
            Assert.That(ex.Message, Does.Contain("slave 0x1001").And.Contain("SDO 0x2000:00 aborted")
                .And.Contain("the object does not exist in the object dictionary (0x06020000)"));
            var write = Assert.Throws<EtherCatException>(() => master.SdoDownload(EcMaster.FirstStation, 0x1018, 1, [1, 2, 3, 4]));
            Assert.That(write!.Message, Does.Contain("SDO 0x1018:01 aborted").And.Contain("read-only object (0x06010002)"));
        }
    }

    [Test]
    public void Upload_ReplyWithAnotherCommandSpecifier_SaysWhatCameAndWhatWasExpected()
    {
        var (segment, master, link) = PreOp(new SimulatedCia402Drive().Esc);
        using (segment)
        using (master)
        {
            link.Received = m => m[8] = 0xA4; // a block upload response: a service this master never asked for
            var ex = Assert.Throws<EtherCatException>(() => master.SdoUpload(EcMaster.FirstStation, 0x1000, 0));
            Assert.That(ex!.Message, Does.Contain("0x1000:00 got command 0xA4").And.Contain("initiate upload response"));
        }
    }
}

using System.Buffers.Binary;
using NafNative.Hardware.EtherCat;
using NafNative.Hardware.Simulated.EtherCat;

namespace NafNative.Hardware.Tests.EtherCat;

/// <summary>Mailbox replies lost on the way back, after the slave acted on the frame: a lost read is recovered with
/// the repeat protocol, a lost write is resent with the same counter and dropped by the slave as a repeat, so an
/// SDO is neither lost nor delivered twice.</summary>
[NonParallelizable]
public sealed class EcMailboxRepeatTests
{
    /// <summary>Loses the returning frames whose first datagram has the given command and register and a working
    /// counter of 1 (the slave did act on it), the ones numbered in <paramref name="lose"/> (1-based, in order).</summary>
    private sealed class ReplyLosingLink(IEcLink inner, EcCommand command, ushort register, params int[] lose) : IEcLink
    {
        private readonly EcDatagram[] _datagrams = new EcDatagram[64];
        private int _seen;

        public int Lost { get; private set; }
        public string Name => inner.Name;
        public void Send(ReadOnlySpan<byte> payload) => inner.Send(payload);

        public int Receive(Span<byte> payload, TimeSpan timeout)
        {
            int n = inner.Receive(payload, timeout);
            if (n <= 0 || EcFrame.Parse(payload[..n], _datagrams) < 1) return n;
            var d = _datagrams[0];
            if (d.Command != command || d.Ado != register || d.WorkingCounter != 1) return n;
            if (Array.IndexOf(lose, ++_seen) < 0) return n;
            Lost++;
            return 0; // as if it never came back
        }

        public void Dispose() => inner.Dispose();
    }

    private static (SimulatedEcSegment, EcMaster, ReplyLosingLink) Bus(SimulatedEsc esc, EcCommand command, ushort register, params int[] lose)
    {
        var segment = new SimulatedEcSegment([esc]);
        var link = new ReplyLosingLink(new UdpEcLink(segment.EndPoint), command, register, lose);
        // 200 ms: long enough that a busy machine does not lose frames of its own and blur the counts.
        var master = new EcMaster(link, TimeSpan.FromMilliseconds(200));
        master.Discover();
        master.ToPreOp(1);
        return (segment, master, link);
    }

    [Test]
    public void SdoUpload_TheReplyToTheMailboxReadIsLost_TheMasterAsksForARepeatAndGetsTheValue()
    {
        var drive = new SimulatedCia402Drive();
        var (segment, master, link) = Bus(drive.Esc, EcCommand.Fprd, 0x1080, 1);
        using (segment)
        using (master)
        {
            Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(master.SdoUpload(EcMaster.FirstStation, 0x1018, 1)), Is.EqualTo(SimulatedCia402Drive.Vendor));
            Assert.That(link.Lost, Is.EqualTo(1));
            Assert.That((master.MailboxRepeats, drive.Esc.MailboxRepeats), Is.EqualTo((1L, 1)), "one repeat asked, one given");
        }
    }

    [Test]
    public void SegmentedUpload_ReadsLostMidTransfer_TheValueArrivesWholeAndInOrder()
    {
        string name = "a name that needs several segments: " + new string('s', 300);
        var drive = new SimulatedCia402Drive(deviceName: name[..255]);
        var (segment, master, link) = Bus(drive.Esc, EcCommand.Fprd, 0x1080, 2, 3);
        using (segment)
        using (master)
        {
            Assert.That(System.Text.Encoding.ASCII.GetString(master.SdoUpload(EcMaster.FirstStation, 0x1008, 0)), Is.EqualTo(name[..255]),
                "a lost segment answered again, not a toggle error or a gap");
            Assert.That((link.Lost, master.MailboxRepeats), Is.EqualTo((2, 2L)));
        }
    }

    [Test]
    public void SdoDownload_TheReplyToTheMailboxWriteIsLost_TheResentWriteIsDroppedAsARepeat_TheObjectIsWrittenOnce()
    {
        var dictionary = new ObjectDictionary();
        dictionary.AddU32(0x2000, 0, 0, writable: true);
        int writes = 0;
        dictionary.OnWrite(0x2000, 0, _ => writes++);
        var esc = new SimulatedEsc(1, 2, 3, 4, "counter", 0, 0, coe: true) { Dictionary = dictionary };
        var (segment, master, link) = Bus(esc, EcCommand.Fpwr, 0x1000, 1);
        using (segment)
        using (master)
        {
            master.SdoDownload(EcMaster.FirstStation, 0x2000, 0, [1, 2, 3, 4]);
            Assert.That(link.Lost, Is.EqualTo(1), "the write's reply was lost; the master sent it again");
            Assert.That(esc.RepeatedRequestsDropped, Is.EqualTo(1));
            Assert.That(writes, Is.EqualTo(1), "delivered once");
            Assert.That(dictionary.Get(0x2000, 0), Is.EqualTo(new byte[] { 1, 2, 3, 4 }));
            master.SdoDownload(EcMaster.FirstStation, 0x2000, 0, [5, 6, 7, 8]);
            Assert.That(writes, Is.EqualTo(2), "the next request, with the next counter, is served");
        }
    }

    [Test]
    public void SegmentedDownload_ASegmentsWriteReplyIsLost_TheValueIsWrittenWholeOnce()
    {
        var dictionary = new ObjectDictionary();
        dictionary.AddVariable(0x2001, 0, [0], 1000, writable: true);
        int writes = 0;
        dictionary.OnWrite(0x2001, 0, _ => writes++);
        var esc = new SimulatedEsc(1, 2, 3, 4, "domain", 0, 0, coe: true) { Dictionary = dictionary };
        var (segment, master, link) = Bus(esc, EcCommand.Fpwr, 0x1000, 2);
        using (segment)
        using (master)
        {
            byte[] value = [.. Enumerable.Range(0, 400).Select(i => (byte)i)];
            master.SdoDownload(EcMaster.FirstStation, 0x2001, 0, value);
            Assert.That(link.Lost, Is.EqualTo(1));
            Assert.That(esc.RepeatedRequestsDropped, Is.EqualTo(1), "the repeated segment was not taken as the next one");
            Assert.That((writes, dictionary.Get(0x2001, 0)), Is.EqualTo((1, value)));
        }
    }

    [Test]
    public void LostReplyFault_TheSlavesActedButTheMasterSawNothing_AndAnSdoStillArrivesOnce()
    {
        var drive = new SimulatedCia402Drive();
        using var segment = SimulatedEcSegment.ForDrives([drive]);
        using var master = new EcMaster(new UdpEcLink(segment.EndPoint), TimeSpan.FromMilliseconds(200));
        master.Discover();
        master.ToPreOp(1);
        // The fault takes the next frame: each download's mailbox write. Its reply is lost, the master resends it
        // with the same counter, and the slave drops the repeat.
        for (int k = 0; k < 6; k++)
        {
            segment.Inject(EcFault.Parse("lost-reply"));
            master.SdoDownload(EcMaster.FirstStation, Cia402.ModesOfOperation, 0, [(byte)(k + 1)]);
            Assert.That(master.SdoUpload(EcMaster.FirstStation, Cia402.ModesOfOperation, 0), Is.EqualTo(new[] { (byte)(k + 1) }));
        }
        Assert.That(segment.RepliesLost, Is.EqualTo(6));
        Assert.That(drive.Esc.RepeatedRequestsDropped, Is.EqualTo(6), "each download delivered once");
        Assert.That(master.LostFrames, Is.GreaterThanOrEqualTo(6), "a very busy machine may lose a few more to the timeout");
    }
}

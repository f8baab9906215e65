using System.Buffers.Binary;
using System.Diagnostics;
using NafNative.Hardware.EtherCat;
using NafNative.Hardware.Simulated.EtherCat;

namespace NafNative.Hardware.Tests.EtherCat;

/// <summary>The simulated slave's mailbox as a peer master sees it, datagram by datagram (ETG.1000.4 §5.4, ETG.1000.6
/// §5.3): SDO information over CoE, fragments queued behind a full SM1, mailbox error replies, an empty SM1 not
/// acknowledged, repeated requests dropped by their counter, and the repeat protocol for a lost read.</summary>
[NonParallelizable]
public sealed class EcMailboxTests
{
    private const ushort Station = EcMaster.FirstStation;

    private sealed class Bus : IDisposable
    {
        public Bus(SimulatedEsc esc)
        {
            Esc = esc;
            Segment = new SimulatedEcSegment([esc]);
            Master = new EcMaster(new UdpEcLink(Segment.EndPoint));
            Master.Discover();
            Master.ToPreOp(1);
        }

        public SimulatedEsc Esc { get; }
        public SimulatedEcSegment Segment { get; }
        public EcMaster Master { get; }

        public void Write(byte type, byte counter, ReadOnlySpan<byte> body)
        {
            var m = new byte[EcMaster.MailboxSize];
            BinaryPrimitives.WriteUInt16LittleEndian(m, (ushort)body.Length);
            m[5] = (byte)(type | counter << 4);
            body.CopyTo(m.AsSpan(6));
            Master.TransactExpect(EcCommand.Fpwr, Station, 0x1000, m, 1, "test mailbox write");
        }

        public bool Full
        {
            get
            {
                Span<byte> status = stackalloc byte[1];
                Master.TransactExpect(EcCommand.Fprd, Station, 0x080D, status, 1, "test mailbox status");
                return (status[0] & 0x08) != 0;
            }
        }

        public byte[] Read()
        {
            var deadline = Stopwatch.StartNew();
            while (!Full) Assert.That(deadline.Elapsed, Is.LessThan(TimeSpan.FromSeconds(1)), "no mailbox answer");
            var m = new byte[EcMaster.MailboxSize];
            Master.TransactExpect(EcCommand.Fprd, Station, 0x1080, m, 1, "test mailbox read");
            return m;
        }

        public void Dispose()
        {
            Master.Dispose();
            Segment.Dispose();
        }
    }

    private static byte[] Coe(ushort service, params byte[] body) => [(byte)0, (byte)(service << 4), .. body];

    [Test]
    public void SdoInformation_OverTheMailbox_ListsEveryObjectOfTheDrive()
    {
        using var bus = new Bus(new SimulatedCia402Drive().Esc);
        bus.Write(0x03, 1, Coe(8, 0x01, 0, 0, 0, 0x01, 0x00)); // get OD list, all objects
        var r = bus.Read();
        Assert.That(r[5] & 0x0F, Is.EqualTo(0x03), "CoE");
        Assert.That(BinaryPrimitives.ReadUInt16LittleEndian(r.AsSpan(6)) >> 12, Is.EqualTo(8), "SDO information");
        Assert.That((r[8], r[10] | r[11] << 8), Is.EqualTo(((byte)0x02, 0)), "OD list response, no fragment left");
        int length = BinaryPrimitives.ReadUInt16LittleEndian(r);
        var indices = Enumerable.Range(0, (length - 8) / 2).Select(k => BinaryPrimitives.ReadUInt16LittleEndian(r.AsSpan(14 + 2 * k))).ToArray();
        Assert.That(indices, Does.Contain((ushort)0x1018).And.Contain((ushort)0x1C12).And.Contain(Cia402.TargetVelocity).And.Contain(Cia402.ErrorCode));
        Assert.That(indices, Has.Length.EqualTo(19).And.Ordered);
    }

    [Test]
    public void SdoInformationFragments_WaitBehindAFullInMailbox_AndFollowEachRead()
    {
        var dictionary = new ObjectDictionary();
        for (int i = 0; i < 70; i++) dictionary.AddU8((ushort)(0x2000 + i), 0, 0);
        var esc = new SimulatedEsc(1, 2, 3, 4, "many objects", 0, 0, coe: true) { Dictionary = dictionary };
        using var bus = new Bus(esc);
        bus.Write(0x03, 1, Coe(8, 0x01, 0, 0, 0, 0x01, 0x00));
        var first = bus.Read();
        Assert.That((first[8], first[10]), Is.EqualTo(((byte)0x82, (byte)1)), "first of two fragments");
        Assert.That(bus.Full, Is.True, "the second fragment went into SM1 as soon as the first was read");
        var second = bus.Read();
        Assert.That((second[8], second[10]), Is.EqualTo(((byte)0x02, (byte)0)));
        Assert.That(BinaryPrimitives.ReadUInt16LittleEndian(second.AsSpan(12)), Is.EqualTo(0x2039));
        Assert.That(bus.Full, Is.False);
    }

    [Test]
    public void UnsupportedProtocolOrService_GetsAMailboxErrorReply()
    {
        using var bus = new Bus(new SimulatedCia402Drive().Esc);
        bus.Write(0x02, 1, [0, 0, 0, 0]); // EoE
        var r = bus.Read();
        Assert.That((r[5] & 0x0F, Convert.ToHexString(r.AsSpan(6, 4))), Is.EqualTo((0, "01000200")), "type 0, error command, 0x0002 unsupported protocol");
        bus.Write(0x03, 2, Coe(6, 0, 0)); // CoE remote TxPDO request: not served
        r = bus.Read();
        Assert.That((r[5] & 0x0F, Convert.ToHexString(r.AsSpan(6, 4))), Is.EqualTo((0, "01000400")), "0x0004 service not supported");
    }

    [Test]
    public void ReadOfAnEmptyInMailbox_IsNotAcknowledged()
    {
        using var bus = new Bus(new SimulatedCia402Drive().Esc);
        var m = new byte[EcMaster.MailboxSize];
        Assert.That(bus.Master.Transact(EcCommand.Fprd, Station, 0x1080, m), Is.Zero);
    }

    [Test]
    public void RequestWithThePreviousCounter_IsDroppedAsARepeat_ANewCounterIsServed()
    {
        var drive = new SimulatedCia402Drive();
        using var bus = new Bus(drive.Esc);
        byte[] download = Coe(2, 0x2F, 0x60, 0x60, 0x00, 9, 0, 0, 0); // 0x6060:00 = 9, expedited
        bus.Write(0x03, 3, download);
        Assert.That(bus.Read()[8], Is.EqualTo(0x60), "download response");
        bus.Write(0x03, 3, download); // what a master resends when the reply to its write was lost
        Assert.That(bus.Full, Is.False, "no second response");
        Assert.That(drive.Esc.RepeatedRequestsDropped, Is.EqualTo(1));
        bus.Write(0x03, 4, download);
        Assert.That(bus.Read()[8], Is.EqualTo(0x60));
        Assert.That(drive.Esc.RepeatedRequestsDropped, Is.EqualTo(1));
    }

    [Test]
    public void RepeatRequest_TheSlaveWritesItsLastResponseAgainAndAcknowledges()
    {
        var drive = new SimulatedCia402Drive();
        using var bus = new Bus(drive.Esc);
        bus.Write(0x03, 1, Coe(2, 0x40, 0x00, 0x10, 0x00, 0, 0, 0, 0)); // upload 0x1000:00
        var response = bus.Read();
        Assert.That(bus.Full, Is.False);
        Span<byte> activate = stackalloc byte[1];
        bus.Master.TransactExpect(EcCommand.Fprd, Station, 0x080E, activate, 1, "SM1 activate");
        activate[0] ^= 0x02; // toggle the repeat request
        bus.Master.TransactExpect(EcCommand.Fpwr, Station, 0x080E, activate, 1, "SM1 repeat request");
        Span<byte> pdiControl = stackalloc byte[1];
        bus.Master.TransactExpect(EcCommand.Fprd, Station, 0x080F, pdiControl, 1, "SM1 PDI control");
        Assert.That(pdiControl[0] & 0x02, Is.EqualTo(activate[0] & 0x02), "repeat acknowledged");
        Assert.That(bus.Read(), Is.EqualTo(response), "the same response, counter included");
        Assert.That(drive.Esc.MailboxRepeats, Is.EqualTo(1));
    }
}

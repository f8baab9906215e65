using System.Buffers.Binary;
using NafNative.Hardware.EtherCat;
using NafNative.Hardware.Simulated.EtherCat;

namespace NafNative.Hardware.Tests.EtherCat;

/// <summary>CoE SDO upload/download over the mailbox against the simulated CiA 402 drive's object dictionary.</summary>
[NonParallelizable]
public sealed class EcCoeTests
{
    private static (SimulatedEcSegment Segment, EcMaster Master) PreOp()
    {
        var segment = SimulatedEcSegment.ForDrives([new SimulatedCia402Drive(serial: 77)]);
        var master = new EcMaster(new UdpEcLink(segment.EndPoint));
        master.Discover();
        master.ConfigureMailbox(EcMaster.FirstStation);
        master.RequestState(EcMaster.FirstStation, AlState.PreOp);
        return (segment, master);
    }

    [Test]
    public void Upload_Expedited_ReadsIdentityAndPdoMapping()
    {
        var (segment, master) = PreOp();
        using (segment)
        using (master)
        {
            Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(master.SdoUpload(EcMaster.FirstStation, 0x1000, 0)), Is.EqualTo(0x0002_0192u));
            Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(master.SdoUpload(EcMaster.FirstStation, 0x1018, 4)), Is.EqualTo(77u));
            Assert.That(master.SdoUpload(EcMaster.FirstStation, 0x1C12, 0), Is.EqualTo(new byte[] { 1 }));
            Assert.That(BinaryPrimitives.ReadUInt16LittleEndian(master.SdoUpload(EcMaster.FirstStation, 0x1C12, 1)), Is.EqualTo(0x1600));
            Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(master.SdoUpload(EcMaster.FirstStation, 0x1600, 3)), Is.EqualTo(0x60FF_0020u));
            Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(master.SdoUpload(EcMaster.FirstStation, 0x1A00, 2)), Is.EqualTo(0x6064_0020u));
        }
    }

    [Test]
    public void Download_InPreOp_WritesTheMapping_AndIsRefusedInSafeOp()
    {
        var (segment, master) = PreOp();
        using (segment)
        using (master)
        {
            master.SdoDownload(EcMaster.FirstStation, 0x1600, 0, [3]);
            Assert.That(master.SdoUpload(EcMaster.FirstStation, 0x1600, 0), Is.EqualTo(new byte[] { 3 }));
            master.SdoDownload(EcMaster.FirstStation, 0x1600, 0, [4]);
            master.WriteSm(EcMaster.FirstStation, 2, 0x1100, 11, 0x64);
            master.WriteSm(EcMaster.FirstStation, 3, 0x1180, 11, 0x20);
            master.RequestState(EcMaster.FirstStation, AlState.SafeOp);
            var ex = Assert.Throws<EtherCatException>(() => master.SdoDownload(EcMaster.FirstStation, 0x1600, 0, [2]));
            Assert.That(ex!.Message, Does.Contain("0x08000022").And.Contain("present device state"));
        }
    }

    [TestCase((ushort)0x2000, (byte)0, "0x06020000", "does not exist in the object dictionary")]
    [TestCase((ushort)0x1018, (byte)9, "0x06090011", "subindex does not exist")]
    public void Upload_MissingObject_AbortsWithTheDecodedCode(ushort index, byte sub, string code, string sentence)
    {
        var (segment, master) = PreOp();
        using (segment)
        using (master)
        {
            var ex = Assert.Throws<EtherCatException>(() => master.SdoUpload(EcMaster.FirstStation, index, sub));
            Assert.That(ex!.Message, Does.Contain(code).And.Contain(sentence).And.Contain("0x1001"));
        }
    }

    [Test]
    public void Download_ReadOnlyObject_AbortsAsReadOnly()
    {
        var (segment, master) = PreOp();
        using (segment)
        using (master)
        {
            var ex = Assert.Throws<EtherCatException>(() => master.SdoDownload(EcMaster.FirstStation, 0x1000, 0, [1, 2, 3, 4]));
            Assert.That(ex!.Message, Does.Contain("0x06010002").And.Contain("read-only"));
        }
    }

    [Test]
    public void Abort_TheSimulatorSendsExactlyTheStandardCommandByte()
    {
        // The master accepts (cmd & 0xE0) == 0x80, as some slaves echo request bits (0x90); the slave side sends 0x80.
        var d = new ObjectDictionary();
        byte[] reply = d.Handle([0x40, 0x00, 0x20, 0x00, 0, 0, 0, 0], AlState.PreOp)!;
        Assert.That(reply[0], Is.EqualTo(0x80));
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(reply.AsSpan(4)), Is.EqualTo(SdoAbortCodes.NoObject));
    }
}

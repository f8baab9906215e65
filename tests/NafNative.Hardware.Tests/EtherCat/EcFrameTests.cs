using NafNative.Hardware.EtherCat;
using NafNative.Hardware.Tests.Dynamixel;

namespace NafNative.Hardware.Tests.EtherCat;

public sealed class EcFrameTests
{
    [Test]
    public void Brd_OfTheTypeRegister_EncodesAsWorkedByHand()
    {
        // EtherCAT header: 14 bytes of datagrams, type 1 → 0x100E. Datagram: BRD (7), index 1, ADP 0, ADO 0x0000,
        // length 2 (M clear), IRQ 0, two data bytes, working counter 0.
        var payload = new byte[64];
        int at = EcFrame.Begin(payload);
        at = EcFrame.AddDatagram(payload, at, EcCommand.Brd, 1, 0, 0x0000, 2);
        int n = EcFrame.End(payload, at);
        Assert.That(Hex.Of(payload.AsSpan(0, n)), Is.EqualTo("0E10" + "0701" + "0000" + "0000" + "0200" + "0000" + "0000" + "0000"));
    }

    [Test]
    public void TwoDatagrams_FirstCarriesTheMoreBit_AndBothParseBack()
    {
        var payload = new byte[128];
        int at = EcFrame.Begin(payload);
        at = EcFrame.AddDatagram(payload, at, EcCommand.Fprd, 7, 0x1001, 0x0130, 6);
        at = EcFrame.AddDatagram(payload, at, EcCommand.Lrw, 8, 0x0000, 0x0001, 3, [1, 2, 3]);
        int n = EcFrame.End(payload, at);
        // FPWR length field 6 | M (0x8000) = 0x8006 → bytes 06 80 at offsets 8–9.
        Assert.That(Hex.Of(payload.AsSpan(8, 2)), Is.EqualTo("0680"));
        var parsed = new EcDatagram[4];
        Assert.That(EcFrame.Parse(payload.AsSpan(0, n), parsed), Is.EqualTo(2));
        Assert.That(parsed[0], Is.EqualTo(new EcDatagram(EcCommand.Fprd, 7, 0x1001, 0x0130, 6, true, 0, 12, 0)));
        Assert.That(parsed[1].Command, Is.EqualTo(EcCommand.Lrw));
        Assert.That(parsed[1].LogicalAddress, Is.EqualTo(0x0001_0000u));
        Assert.That(parsed[1].More, Is.False);
        Assert.That(payload.AsSpan(parsed[1].DataOffset, 3).ToArray(), Is.EqualTo(new byte[] { 1, 2, 3 }));
    }

    [TestCase("0E20" + "07010000000002000000" + "0000" + "0000", Description = "type 2, not DLPDU")]
    [TestCase("0E10" + "07010000000002000000" + "00", Description = "truncated")]
    [TestCase("0E10" + "07010000000009000000" + "0000" + "0000", Description = "datagram longer than the frame")]
    [TestCase("0E10" + "07010000000002800000" + "0000" + "0000", Description = "M bit but nothing follows")]
    public void Parse_Malformed_ReturnsMinusOne(string hex) =>
        Assert.That(EcFrame.Parse(Convert.FromHexString(hex), new EcDatagram[4]), Is.EqualTo(-1));

    [Test]
    public void Parse_RandomBytes_NeverThrows()
    {
        var random = new Random(5);
        var buffer = new byte[200];
        var parsed = new EcDatagram[8];
        for (int i = 0; i < 20_000; i++)
        {
            random.NextBytes(buffer);
            buffer[1] = (byte)((buffer[1] & 0x0F) | 0x10);
            Assert.That(EcFrame.Parse(buffer.AsSpan(0, random.Next(0, 200)), parsed), Is.InRange(-1, 8));
        }
    }
}

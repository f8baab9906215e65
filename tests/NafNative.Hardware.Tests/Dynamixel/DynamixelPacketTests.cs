using NafNative.Hardware.Dynamixel;

namespace NafNative.Hardware.Tests.Dynamixel;

// Worked packets from the ROBOTIS e-manual (Protocol 2.0), as collected in shared/HARDWARE.md §1.6, plus the SDK-computed
// stuffing example of §1.3.
public sealed class DynamixelPacketTests
{
    private static readonly object[] Instructions =
    [
        new object[] { (byte)1, DynamixelInstruction.Ping, "", "FF FF FD 00 01 03 00 01 19 4E" },
        new object[] { (byte)0xFE, DynamixelInstruction.Ping, "", "FF FF FD 00 FE 03 00 01 31 42" },
        new object[] { (byte)1, DynamixelInstruction.Read, "84 00 04 00", "FF FF FD 00 01 07 00 02 84 00 04 00 1D 15" },
        new object[] { (byte)1, DynamixelInstruction.Write, "74 00 00 02 00 00", "FF FF FD 00 01 09 00 03 74 00 00 02 00 00 CA 89" },
        new object[] { (byte)1, DynamixelInstruction.RegWrite, "68 00 C8 00 00 00", "FF FF FD 00 01 09 00 04 68 00 C8 00 00 00 AE 8E" },
        new object[] { (byte)1, DynamixelInstruction.Action, "", "FF FF FD 00 01 03 00 05 02 CE" },
        new object[] { (byte)1, DynamixelInstruction.FactoryReset, "01", "FF FF FD 00 01 04 00 06 01 A1 E6" },
        new object[] { (byte)1, DynamixelInstruction.Reboot, "", "FF FF FD 00 01 03 00 08 2F 4E" },
        new object[] { (byte)1, DynamixelInstruction.Clear, "01 44 58 4C 22", "FF FF FD 00 01 08 00 10 01 44 58 4C 22 B1 DC" },
        new object[] { (byte)0xFE, DynamixelInstruction.SyncRead, "84 00 04 00 01 02", "FF FF FD 00 FE 09 00 82 84 00 04 00 01 02 CE FA" },
        new object[] { (byte)0xFE, DynamixelInstruction.SyncWrite, "74 00 04 00 01 96 00 00 00 02 AA 00 00 00",
            "FF FF FD 00 FE 11 00 83 74 00 04 00 01 96 00 00 00 02 AA 00 00 00 82 87" },
        new object[] { (byte)0xFE, DynamixelInstruction.BulkRead, "01 90 00 02 00 02 92 00 01 00",
            "FF FF FD 00 FE 0D 00 92 01 90 00 02 00 02 92 00 01 00 1A 05" },
        new object[] { (byte)0xFE, DynamixelInstruction.BulkWrite, "01 20 00 02 00 A0 00 02 1F 00 01 00 50",
            "FF FF FD 00 FE 10 00 93 01 20 00 02 00 A0 00 02 1F 00 01 00 50 B7 68" },
        // SDK-computed: WRITE ID 1 at 0x00E0 of FF FF FD: the parameters are stuffed (LEN 8 → 9).
        new object[] { (byte)1, DynamixelInstruction.Write, "E0 00 FF FF FD", "FF FF FD 00 01 09 00 03 E0 00 FF FF FD FD 5B 65" },
    ];

    private static readonly object[] Statuses =
    [
        new object[] { (byte)1, (byte)0, "06 04 26", "FF FF FD 00 01 07 00 55 00 06 04 26 65 5D" },
        new object[] { (byte)2, (byte)0, "06 04 26", "FF FF FD 00 02 07 00 55 00 06 04 26 6F 6D" },
        new object[] { (byte)1, (byte)0, "A6 00 00 00", "FF FF FD 00 01 08 00 55 00 A6 00 00 00 8C C0" },
        new object[] { (byte)1, (byte)0, "", "FF FF FD 00 01 04 00 55 00 A1 0C" },
        new object[] { (byte)2, (byte)0, "1F 08 00 00", "FF FF FD 00 02 08 00 55 00 1F 08 00 00 BA BE" },
        new object[] { (byte)1, (byte)0, "77 00", "FF FF FD 00 01 06 00 55 00 77 00 C3 69" },
        new object[] { (byte)2, (byte)0, "24", "FF FF FD 00 02 05 00 55 00 24 8B A9" },
    ];

    [Test]
    public void Crc_CheckString_IsFEE8() =>
        Assert.That(DynamixelCrc.Compute("123456789"u8), Is.EqualTo(0xFEE8));

    [TestCaseSource(nameof(Instructions))]
    public void WriteInstruction_EmanualPacket_MatchesBitForBit(byte id, DynamixelInstruction instruction, string parameters, string expected)
    {
        var buffer = new byte[64];
        int n = DynamixelPacket.WriteInstruction(buffer, id, instruction, Hex.Bytes(parameters));
        Assert.That(Hex.Of(buffer.AsSpan(0, n)), Is.EqualTo(Hex.Of(Hex.Bytes(expected))));
    }

    [TestCaseSource(nameof(Instructions))]
    public void Decode_EmanualInstruction_GivesItsFields(byte id, DynamixelInstruction instruction, string parameters, string packet)
    {
        var p = new byte[64];
        var result = DynamixelDecoder.Decode(Hex.Bytes(packet), p, out var frame, out int consumed);
        Assert.Multiple(() =>
        {
            Assert.That(result, Is.EqualTo(DecodeResult.Packet));
            Assert.That(consumed, Is.EqualTo(Hex.Bytes(packet).Length));
            Assert.That(frame.Id, Is.EqualTo(id));
            Assert.That(frame.Instruction, Is.EqualTo((byte)instruction));
            Assert.That(Hex.Of(p.AsSpan(0, frame.ParameterLength)), Is.EqualTo(Hex.Of(Hex.Bytes(parameters))), "unstuffed parameters");
        });
    }

    [TestCaseSource(nameof(Statuses))]
    public void WriteStatus_EmanualPacket_MatchesBitForBit(byte id, byte error, string parameters, string expected)
    {
        var buffer = new byte[64];
        int n = DynamixelPacket.WriteStatus(buffer, id, error, Hex.Bytes(parameters));
        Assert.That(Hex.Of(buffer.AsSpan(0, n)), Is.EqualTo(Hex.Of(Hex.Bytes(expected))));
    }

    [TestCaseSource(nameof(Statuses))]
    public void Decode_EmanualStatus_GivesErrorAndParameters(byte id, byte error, string parameters, string packet)
    {
        var p = new byte[64];
        var result = DynamixelDecoder.Decode(Hex.Bytes(packet), p, out var frame, out _);
        Assert.Multiple(() =>
        {
            Assert.That(result, Is.EqualTo(DecodeResult.Packet));
            Assert.That(frame.IsStatus, Is.True);
            Assert.That(frame.Id, Is.EqualTo(id));
            Assert.That(frame.Error, Is.EqualTo(error));
            Assert.That(Hex.Of(p.AsSpan(0, frame.ParameterLength)), Is.EqualTo(Hex.Of(Hex.Bytes(parameters))));
        });
    }

    [Test]
    public void Stuffing_ParametersFullOfHeaderPatterns_RoundTrip()
    {
        var random = new Random(1234);
        var packet = new byte[DynamixelPacket.MaxPacketLength];
        var decoded = new byte[DynamixelPacket.MaxPacketLength];
        for (int trial = 0; trial < 2000; trial++)
        {
            // Parameters drawn from {FF, FD, 00} so FF FF FD (and FF FF FD FD) occur often, also at the ends.
            var parameters = new byte[random.Next(0, 200)];
            for (int i = 0; i < parameters.Length; i++) parameters[i] = (byte)(random.Next(3) switch { 0 => 0xFF, 1 => 0xFD, _ => 0x00 });
            bool status = trial % 2 == 0;
            int n = status
                ? DynamixelPacket.WriteStatus(packet, 7, 0, parameters)
                : DynamixelPacket.WriteInstruction(packet, 7, DynamixelInstruction.Write, parameters);
            var result = DynamixelDecoder.Decode(packet.AsSpan(0, n), decoded, out var frame, out int consumed);
            Assert.That(result, Is.EqualTo(DecodeResult.Packet), $"trial {trial}: {Hex.Of(packet.AsSpan(0, n))}");
            Assert.That(consumed, Is.EqualTo(n));
            Assert.That(decoded.AsSpan(0, frame.ParameterLength).ToArray(), Is.EqualTo(parameters), $"trial {trial}");
        }
    }

    [Test]
    public void WriteInstruction_OverLongPacket_ThrowsNamingTheLimit()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            DynamixelPacket.WriteInstruction(new byte[4096], 1, DynamixelInstruction.Write, new byte[1100]));
        Assert.That(ex!.Message, Does.Contain("1024"));
    }

    [Test]
    public void WriteInstruction_InvalidId_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => DynamixelPacket.WriteInstruction(new byte[16], 0xFD, DynamixelInstruction.Ping, default));
}

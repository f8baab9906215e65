using System.Buffers.Binary;

namespace NafNative.Hardware.Dynamixel;

/// <summary>What <see cref="DynamixelDecoder.Decode"/> found at the front of its input.</summary>
public enum DecodeResult
{
    /// <summary>No complete packet yet: keep the unconsumed bytes and read more.</summary>
    NeedMoreData,
    /// <summary>A packet that passed every check; its fields are in the frame, its parameters unstuffed.</summary>
    Packet,
    /// <summary>A header whose packet failed a check (the frame says which); the decoder skipped past that header to
    /// resynchronise on the next one.</summary>
    Corrupt,
}

/// <summary>Why a packet was rejected.</summary>
public enum CorruptReason : byte
{
    None,
    /// <summary>The length field is below the minimum for its instruction or the packet exceeds the size limit.</summary>
    BadLength,
    /// <summary>The ID is neither a servo ID (0..252) nor broadcast (254).</summary>
    BadId,
    /// <summary>The CRC over the packet as received does not match its last two bytes.</summary>
    CrcMismatch,
    /// <summary>The parameters do not fit the caller's buffer.</summary>
    ParametersTooLong,
}

/// <summary>One decoded packet (instruction or status).</summary>
/// <param name="Id">Servo ID, or 0xFE.</param>
/// <param name="Instruction">Instruction byte: 0x55 for a status packet.</param>
/// <param name="Error">A status packet's error byte (bit 7 alert, bits 6..0 error number); 0 for an instruction.</param>
/// <param name="ParameterLength">Unstuffed parameter bytes written to the caller's span.</param>
/// <param name="Reason">For <see cref="DecodeResult.Corrupt"/>, what was wrong.</param>
public readonly record struct DynamixelFrame(byte Id, byte Instruction, byte Error, int ParameterLength, CorruptReason Reason)
{
    public bool IsStatus => Instruction == (byte)DynamixelInstruction.Status;
}

/// <summary>Finds and checks Protocol 2.0 packets in a byte stream, resynchronising on garbage.</summary>
/// <remarks>
/// <para>A header is FF FF FD followed by the reserved byte 00 (a stuffed FF FF FD FD inside a packet is not a header).
/// Bytes before a header are dropped; a packet with a bad ID, length or CRC is reported as
/// <see cref="DecodeResult.Corrupt"/> and only its first header byte is consumed, so a real packet that started
/// inside the bad one's bytes is still found. The CRC is checked over the bytes as received (stuffed), then stuffing
/// is removed from the parameters (ROBOTIS e-manual, Protocol 2.0 "Packet Process").</para>
/// <para>Pure and allocation-free: the caller owns the input buffer and shifts out what was consumed.</para>
/// </remarks>
public static class DynamixelDecoder
{
    /// <summary>Looks for one packet at the front of <paramref name="input"/>.</summary>
    /// <param name="input">Bytes received and not yet consumed.</param>
    /// <param name="parameters">Receives the unstuffed parameters of a packet (for a status packet, after the error byte).</param>
    /// <param name="frame">The packet's fields (valid for <see cref="DecodeResult.Packet"/>; the reason for Corrupt).</param>
    /// <param name="consumed">Bytes the caller may drop from the front of <paramref name="input"/> (always ≥ 0; for
    /// NeedMoreData, the garbage before a possible header).</param>
    /// <param name="unstuff">False for a Fast Sync Read reply, which the servos send unstuffed (ROBOTIS e-manual).</param>
    public static DecodeResult Decode(ReadOnlySpan<byte> input, Span<byte> parameters, out DynamixelFrame frame, out int consumed,
        bool unstuff = true)
    {
        frame = default;
        int start = FindHeader(input);
        if (start < 0)
        {
            consumed = input.Length - PartialHeaderLength(input);
            return DecodeResult.NeedMoreData;
        }
        ReadOnlySpan<byte> packet = input[start..];
        if (packet.Length < DynamixelPacket.PrefixLength)
        {
            consumed = start;
            return DecodeResult.NeedMoreData;
        }
        byte id = packet[4];
        int length = BinaryPrimitives.ReadUInt16LittleEndian(packet[5..]);
        if (id > DynamixelPacket.MaxId && id != DynamixelPacket.BroadcastId)
            return Corrupt(start, CorruptReason.BadId, out frame, out consumed);
        if (length < 3 || DynamixelPacket.PrefixLength + length > DynamixelPacket.MaxPacketLength)
            return Corrupt(start, CorruptReason.BadLength, out frame, out consumed);
        int total = DynamixelPacket.PrefixLength + length;
        if (packet.Length < total)
        {
            consumed = start;
            return DecodeResult.NeedMoreData;
        }
        packet = packet[..total];
        ushort crc = BinaryPrimitives.ReadUInt16LittleEndian(packet[(total - 2)..]);
        if (DynamixelCrc.Compute(packet[..(total - 2)]) != crc)
            return Corrupt(start, CorruptReason.CrcMismatch, out frame, out consumed);

        byte instruction = packet[DynamixelPacket.PrefixLength];
        bool status = instruction == (byte)DynamixelInstruction.Status;
        if (status && length < 4) return Corrupt(start, CorruptReason.BadLength, out frame, out consumed);
        int bodyStart = DynamixelPacket.PrefixLength + (status ? 2 : 1);
        ReadOnlySpan<byte> stuffed = packet[bodyStart..(total - 2)];
        int written = unstuff ? Unstuff(stuffed, parameters) : stuffed.TryCopyTo(parameters) ? stuffed.Length : -1;
        if (written < 0) return Corrupt(start, CorruptReason.ParametersTooLong, out frame, out consumed);
        frame = new DynamixelFrame(id, instruction, status ? packet[DynamixelPacket.PrefixLength + 1] : (byte)0, written, CorruptReason.None);
        consumed = start + total;
        return DecodeResult.Packet;
    }

    private static DecodeResult Corrupt(int start, CorruptReason reason, out DynamixelFrame frame, out int consumed)
    {
        frame = new DynamixelFrame(0, 0, 0, 0, reason);
        consumed = start + 1;
        return DecodeResult.Corrupt;
    }

    // Index of the first FF FF FD 00, or −1.
    private static int FindHeader(ReadOnlySpan<byte> input)
    {
        for (int i = 0; i + 3 < input.Length; i++)
        {
            int at = input[i..].IndexOf((byte)0xFF);
            if (at < 0) return -1;
            i += at;
            if (i + 3 < input.Length && input[i + 1] == 0xFF && input[i + 2] == 0xFD && input[i + 3] == 0x00) return i;
        }
        return -1;
    }

    // How many bytes at the end of input could be the start of a header (kept for the next read).
    private static int PartialHeaderLength(ReadOnlySpan<byte> input)
    {
        ReadOnlySpan<byte> header = [0xFF, 0xFF, 0xFD, 0x00];
        for (int keep = Math.Min(3, input.Length); keep > 0; keep--)
            if (input[^keep..].SequenceEqual(header[..keep])) return keep;
        return 0;
    }

    // Copies stuffed → unstuffed (FF FF FD FD → FF FF FD); returns bytes written, or −1 if they do not fit.
    private static int Unstuff(ReadOnlySpan<byte> stuffed, Span<byte> destination)
    {
        int written = 0;
        for (int j = 0; j < stuffed.Length; j++)
        {
            if (written == destination.Length) return -1;
            byte b = stuffed[j];
            destination[written++] = b;
            if (b == 0xFD && j >= 2 && stuffed[j - 1] == 0xFF && stuffed[j - 2] == 0xFF && j + 1 < stuffed.Length && stuffed[j + 1] == 0xFD)
                j++; // the stuffing byte
        }
        return written;
    }
}

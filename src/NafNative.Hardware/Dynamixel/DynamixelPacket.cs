using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace NafNative.Hardware.Dynamixel;

/// <summary>Encodes Protocol 2.0 packets: header FF FF FD 00, ID, length, instruction, (error,) parameters, CRC.</summary>
/// <remarks>
/// <para>Layout (ROBOTIS e-manual, Protocol 2.0 "Instruction Packet" / "Status Packet"): length = bytes after the
/// length field (instruction, error for a status, stuffed parameters, 2 CRC bytes). Byte stuffing: wherever
/// FF FF FD occurs from the instruction to the last parameter, an extra FD follows it; the length and then the CRC are
/// computed over the stuffed packet.</para>
/// <para>Allocation-free: packets are written into the caller's span.</para>
/// </remarks>
public static class DynamixelPacket
{
    /// <summary>Bytes of header (3), reserved (1), ID (1) and length (2) before the instruction.</summary>
    public const int PrefixLength = 7;

    /// <summary>The largest packet the bus and the simulated servos accept (DynamixelSDK's TX/RX buffer size).</summary>
    public const int MaxPacketLength = 1024;

    /// <summary>ID that addresses every servo (no status packet except for PING).</summary>
    public const byte BroadcastId = 0xFE;

    /// <summary>The highest ID a servo may have.</summary>
    public const byte MaxId = 0xFC;

    /// <summary>Bytes an unstuffed instruction packet with <paramref name="parameterCount"/> parameters takes.</summary>
    public static int InstructionLength(int parameterCount) => PrefixLength + 1 + parameterCount + 2;

    /// <summary>Bytes an unstuffed status packet with <paramref name="parameterCount"/> parameters takes.</summary>
    public static int StatusLength(int parameterCount) => PrefixLength + 2 + parameterCount + 2;

    /// <summary>Writes an instruction packet; returns its length. <paramref name="destination"/> must hold the stuffed
    /// packet (at most <see cref="InstructionLength"/> + parameters/3 bytes).</summary>
    /// <exception cref="ArgumentException">The packet would exceed <see cref="MaxPacketLength"/> or the buffer.</exception>
    public static int WriteInstruction(Span<byte> destination, byte id, DynamixelInstruction instruction, ReadOnlySpan<byte> parameters) =>
        Write(destination, id, (byte)instruction, error: null, parameters);

    /// <summary>Writes a status packet (what a servo sends back); returns its length.</summary>
    public static int WriteStatus(Span<byte> destination, byte id, byte error, ReadOnlySpan<byte> parameters) =>
        Write(destination, id, (byte)DynamixelInstruction.Status, error, parameters);

    private static int Write(Span<byte> destination, byte id, byte instruction, byte? error, ReadOnlySpan<byte> parameters)
    {
        if (id > MaxId && id != BroadcastId) ThrowId(id);
        // No instruction, error or length byte is 0xFF, so an FF FF FD pattern can only lie inside the parameters.
        int stuffed = parameters.Length + CountPatterns(parameters);
        int total = PrefixLength + 1 + (error is null ? 0 : 1) + stuffed + 2;
        if (total > MaxPacketLength) ThrowTooLong(total);
        if (destination.Length < total) ThrowDestination(destination.Length, total);
        destination[0] = 0xFF;
        destination[1] = 0xFF;
        destination[2] = 0xFD;
        destination[3] = 0x00;
        destination[4] = id;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[5..], (ushort)(total - PrefixLength));
        int at = PrefixLength;
        destination[at++] = instruction;
        if (error is byte e) destination[at++] = e;
        for (int i = 0; i < parameters.Length; i++)
        {
            destination[at++] = parameters[i];
            if (IsPatternEnd(parameters, i)) destination[at++] = 0xFD;
        }
        BinaryPrimitives.WriteUInt16LittleEndian(destination[at..], DynamixelCrc.Compute(destination[..at]));
        return at + 2;
    }

    // Whether parameters[i] ends an FF FF FD pattern of the unstuffed data. Patterns do not overlap (FD is not FF).
    private static bool IsPatternEnd(ReadOnlySpan<byte> data, int i) =>
        i >= 2 && data[i] == 0xFD && data[i - 1] == 0xFF && data[i - 2] == 0xFF;

    private static int CountPatterns(ReadOnlySpan<byte> data)
    {
        int count = 0;
        for (int i = 2; i < data.Length; i++)
            if (IsPatternEnd(data, i)) count++;
        return count;
    }

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowId(byte id) =>
        throw new ArgumentOutOfRangeException(nameof(id), id, $"Dynamixel: ID {id} is not a servo ID (0..{MaxId}) or the broadcast ID {BroadcastId}.");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowDestination(int length, int needed) =>
        throw new ArgumentException($"Dynamixel: packet buffer holds {length} bytes; this packet may need {needed}.", "destination");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowTooLong(int length) =>
        throw new ArgumentException($"Dynamixel: a {length}-byte packet exceeds the {MaxPacketLength}-byte limit; split the transaction.", "parameters");
}

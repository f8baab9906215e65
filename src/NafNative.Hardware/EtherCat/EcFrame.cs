using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace NafNative.Hardware.EtherCat;

/// <summary>One datagram as read from a frame: header fields, its data in the frame, its working counter.</summary>
/// <remarks><c>DataOffset</c> is where its data start in the EtherCAT payload (which begins with the 2-byte frame
/// header).</remarks>
public readonly record struct EcDatagram(EcCommand Command, byte Index, ushort Adp, ushort Ado, int Length, bool More,
    ushort Irq, int DataOffset, ushort WorkingCounter)
{
    /// <summary>The 32-bit logical address of an LRD/LWR/LRW (ADP is its low word, ADO its high word).</summary>
    public uint LogicalAddress => (uint)(Adp | (Ado << 16));
}

/// <summary>Encodes and decodes EtherCAT frames: the 2-byte EtherCAT header (length of the datagrams, type 1) and
/// datagrams of header (10) + data + working counter (2), the M bit set on every one but the last.</summary>
/// <remarks>ETG.1000.4 §5; SOEM <c>ec_type.h</c> (<c>ec_comt</c>). Allocation-free: frames are built in and parsed from
/// caller buffers. The same payload rides in an Ethernet frame (EtherType 0x88A4) or a UDP datagram (port 34980).</remarks>
public static class EcFrame
{
    public const int HeaderLength = 2;
    public const int DatagramOverhead = 12; // 10 header + 2 working counter
    /// <summary>Largest EtherCAT payload in one Ethernet frame (1500 − nothing: the EtherCAT header is inside it).</summary>
    public const int MaxPayload = 1498;
    public const ushort EtherType = 0x88A4;
    public const int UdpPort = 34980;

    /// <summary>Starts a frame in <paramref name="payload"/>; returns the write position for <see cref="AddDatagram"/>.</summary>
    public static int Begin(Span<byte> payload)
    {
        if (payload.Length < HeaderLength) ThrowShort();
        BinaryPrimitives.WriteUInt16LittleEndian(payload, 0x1000); // type 1 (DLPDU), length filled in by End
        return HeaderLength;
    }

    /// <summary>Appends a datagram at <paramref name="at"/> (data copied from <paramref name="data"/>, or zeros for a
    /// read of <paramref name="length"/> bytes when data is empty); returns the new position.</summary>
    public static int AddDatagram(Span<byte> payload, int at, EcCommand command, byte index, ushort adp, ushort ado,
        int length, ReadOnlySpan<byte> data = default)
    {
        if ((uint)length > 0x7FF) ThrowLength(length);
        if (!data.IsEmpty && data.Length != length) ThrowDataLength(data.Length, length);
        if (at + DatagramOverhead + length > payload.Length || at + DatagramOverhead + length > MaxPayload) ThrowShort();
        // Mark the previous datagram (if any) as followed by this one.
        MarkMore(payload, at);
        payload[at] = (byte)command;
        payload[at + 1] = index;
        BinaryPrimitives.WriteUInt16LittleEndian(payload[(at + 2)..], adp);
        BinaryPrimitives.WriteUInt16LittleEndian(payload[(at + 4)..], ado);
        BinaryPrimitives.WriteUInt16LittleEndian(payload[(at + 6)..], (ushort)length);
        BinaryPrimitives.WriteUInt16LittleEndian(payload[(at + 8)..], 0);
        Span<byte> body = payload.Slice(at + 10, length);
        if (data.IsEmpty) body.Clear(); else data.CopyTo(body);
        BinaryPrimitives.WriteUInt16LittleEndian(payload[(at + 10 + length)..], 0);
        return at + DatagramOverhead + length;
    }

    /// <summary>Finishes the frame: writes the datagrams' total length into the header; returns the payload length.</summary>
    public static int End(Span<byte> payload, int at)
    {
        int length = at - HeaderLength;
        BinaryPrimitives.WriteUInt16LittleEndian(payload, (ushort)(0x1000 | (length & 0x7FF)));
        return at;
    }

    /// <summary>Reads the datagrams of a frame into <paramref name="datagrams"/>; returns how many, or −1 if the frame is
    /// malformed (wrong type, lengths that overrun it, more datagrams than fit).</summary>
    public static int Parse(ReadOnlySpan<byte> payload, Span<EcDatagram> datagrams)
    {
        if (payload.Length < HeaderLength) return -1;
        ushort header = BinaryPrimitives.ReadUInt16LittleEndian(payload);
        if (header >> 12 != 1) return -1;
        int end = HeaderLength + (header & 0x7FF);
        if (end > payload.Length) return -1;
        int at = HeaderLength, count = 0;
        while (true)
        {
            if (at + DatagramOverhead > end || count == datagrams.Length) return -1;
            ushort lengthField = BinaryPrimitives.ReadUInt16LittleEndian(payload[(at + 6)..]);
            int length = lengthField & 0x7FF;
            if (at + DatagramOverhead + length > end) return -1;
            bool more = (lengthField & 0x8000) != 0;
            datagrams[count++] = new EcDatagram((EcCommand)payload[at], payload[at + 1],
                BinaryPrimitives.ReadUInt16LittleEndian(payload[(at + 2)..]), BinaryPrimitives.ReadUInt16LittleEndian(payload[(at + 4)..]),
                length, more, BinaryPrimitives.ReadUInt16LittleEndian(payload[(at + 8)..]), at + 10,
                BinaryPrimitives.ReadUInt16LittleEndian(payload[(at + 10 + length)..]));
            at += DatagramOverhead + length;
            if (!more) return count;
        }
    }

    private static void MarkMore(Span<byte> payload, int at)
    {
        // Walk from the first datagram to the one that ends at `at` and set its M bit.
        int p = HeaderLength, last = -1;
        while (p < at)
        {
            last = p;
            p += DatagramOverhead + (BinaryPrimitives.ReadUInt16LittleEndian(payload[(p + 6)..]) & 0x7FF);
        }
        if (last >= 0) payload[last + 7] |= 0x80;
    }

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowShort() => throw new ArgumentException("EtherCAT: the frame does not fit its buffer (or exceeds 1498 bytes of payload); split the datagrams over frames.");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowLength(int length) => throw new ArgumentOutOfRangeException(nameof(length), length, "EtherCAT: a datagram carries at most 2047 bytes.");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowDataLength(int data, int length) => throw new ArgumentException($"EtherCAT: {data} data bytes for a datagram of length {length}.", "data");
}

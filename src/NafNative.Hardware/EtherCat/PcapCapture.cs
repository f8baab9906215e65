using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;

namespace NafNative.Hardware.EtherCat;

/// <summary>Writes captured EtherCAT traffic to a classic pcap file (link type 1, Ethernet), the format tshark and
/// Wireshark read: raw frames as they were, UDP datagrams inside an Ethernet, IPv4 (header checksum computed) and UDP
/// (checksum 0: none, as ESCs send it) header.</summary>
/// <remarks>pcap: a 24-byte file header (magic 0xA1B2C3D4 little-endian, version 2.4, snap length, link type), then
/// per frame a 16-byte record header (seconds, microseconds, captured and original length) and the bytes. One
/// thread writes (the link's); records are flushed when the capture is disposed.</remarks>
public sealed class PcapCapture : IEcCapture, IDisposable
{
    private const int SnapLength = 65535;
    private static readonly byte[] UdpMac = [0x02, 0x00, 0x00, 0x00, 0x00, 0x02];
    private readonly Stream _stream;
    private readonly byte[] _record = new byte[16 + 14 + 20 + 8 + 2048];
    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly DateTime _startTime = DateTime.UtcNow;
    private ushort _ipId;

    /// <param name="path">The file to create (an existing one is replaced).</param>
    public PcapCapture(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
        Path = path;
        Span<byte> h = stackalloc byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(h, 0xA1B2C3D4);
        BinaryPrimitives.WriteUInt16LittleEndian(h[4..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(h[6..], 4);
        BinaryPrimitives.WriteInt32LittleEndian(h[8..], 0);   // time zone: UTC
        BinaryPrimitives.WriteUInt32LittleEndian(h[12..], 0); // timestamp accuracy
        BinaryPrimitives.WriteUInt32LittleEndian(h[16..], SnapLength);
        BinaryPrimitives.WriteUInt32LittleEndian(h[20..], 1); // LINKTYPE_ETHERNET
        _stream.Write(h);
    }

    public string Path { get; }
    public long Frames { get; private set; }

    public void Ethernet(ReadOnlySpan<byte> frame)
    {
        if (frame.Length > _record.Length - 16) throw new ArgumentException($"pcap {Path}: a frame of {frame.Length} bytes is longer than any EtherCAT frame.", nameof(frame));
        frame.CopyTo(_record.AsSpan(16));
        Write(frame.Length);
    }

    public void Udp(ReadOnlySpan<byte> payload, IPEndPoint source, IPEndPoint destination)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        if (source.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork || destination.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
            throw new ArgumentException($"pcap {Path}: only IPv4 UDP is written (got {source} → {destination}).", nameof(source));
        if (payload.Length > _record.Length - 16 - 42) throw new ArgumentException($"pcap {Path}: a UDP payload of {payload.Length} bytes is longer than any EtherCAT frame.", nameof(payload));
        Span<byte> f = _record.AsSpan(16);
        // Ethernet: made-up locally administered addresses (loopback has none), IPv4.
        f[..6].Fill(0x02);
        UdpMac.CopyTo(f[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(f[12..], 0x0800);
        Span<byte> ip = f.Slice(14, 20);
        ip.Clear();
        ip[0] = 0x45; // version 4, 5 words
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(20 + 8 + payload.Length));
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], _ipId++);
        BinaryPrimitives.WriteUInt16BigEndian(ip[6..], 0x4000); // don't fragment
        ip[8] = 64;  // TTL
        ip[9] = 17;  // UDP
        source.Address.TryWriteBytes(ip[12..], out _);
        destination.Address.TryWriteBytes(ip[16..], out _);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], Ipv4Checksum(ip));
        Span<byte> udp = f.Slice(34, 8);
        BinaryPrimitives.WriteUInt16BigEndian(udp, (ushort)source.Port);
        BinaryPrimitives.WriteUInt16BigEndian(udp[2..], (ushort)destination.Port);
        BinaryPrimitives.WriteUInt16BigEndian(udp[4..], (ushort)(8 + payload.Length));
        BinaryPrimitives.WriteUInt16BigEndian(udp[6..], 0);
        payload.CopyTo(f[42..]);
        Write(42 + payload.Length);
    }

    // RFC 791: ones' complement of the ones' complement sum of the header's 16-bit words (checksum field 0).
    private static ushort Ipv4Checksum(ReadOnlySpan<byte> header)
    {
        uint sum = 0;
        for (int i = 0; i < header.Length; i += 2) sum += BinaryPrimitives.ReadUInt16BigEndian(header[i..]);
        while (sum > 0xFFFF) sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }

    private void Write(int length)
    {
        var time = _startTime + Stopwatch.GetElapsedTime(_start);
        long microseconds = (time - DateTime.UnixEpoch).Ticks / 10;
        Span<byte> h = _record.AsSpan(0, 16);
        BinaryPrimitives.WriteUInt32LittleEndian(h, (uint)(microseconds / 1_000_000));
        BinaryPrimitives.WriteUInt32LittleEndian(h[4..], (uint)(microseconds % 1_000_000));
        BinaryPrimitives.WriteUInt32LittleEndian(h[8..], (uint)length);
        BinaryPrimitives.WriteUInt32LittleEndian(h[12..], (uint)length);
        _stream.Write(_record, 0, 16 + length);
        Frames++;
    }

    public void Dispose() => _stream.Dispose();
}

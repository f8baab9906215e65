using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using NafNative.Hardware.Posix;

namespace NafNative.Hardware.EtherCat;

/// <summary>EtherCAT on raw Ethernet (EtherType 0x88A4) on one named interface, through an AF_PACKET socket bound
/// to it (root or CAP_NET_RAW). Frames go to the broadcast address from a locally administered unicast source
/// (02:00:00:00:00:01; SOEM's 01:01:01:01:01:01 is a group address, which tshark flags) and are padded to the Ethernet
/// minimum of 60 bytes (a veth does not pad; real NICs do).</summary>
/// <remarks>A socket bound to one EtherType does not see its own transmitted frames, so every frame received is a
/// returning one. Send and Receive allocate nothing.</remarks>
public sealed class RawEthernetLink : IEcLink
{
    public const int EthernetHeader = 14, MinimumFrame = 60;
    private static readonly byte[] Source = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01];
    private readonly Socket _socket;
    private readonly byte[] _tx = new byte[1518], _rx = new byte[2048];

    /// <param name="interfaceName">The interface the EtherCAT segment is cabled to (only this one is opened).</param>
    public RawEthernetLink(string interfaceName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(interfaceName);
        if (!OperatingSystem.IsLinux()) throw new PlatformNotSupportedException("RawEthernetLink: raw Ethernet needs Linux AF_PACKET; use EtherCAT over UDP elsewhere.");
        int index = Libc.InterfaceIndex(interfaceName);
        try
        {
            _socket = new Socket(AddressFamily.Packet, SocketType.Raw, (ProtocolType)BinaryPrimitives.ReverseEndianness(EcFrame.EtherType));
            _socket.Bind(new PacketEndPoint(index, EcFrame.EtherType));
        }
        catch (SocketException e)
        {
            throw new IOException($"EtherCAT on {interfaceName}: cannot open a raw socket ({e.Message}); it needs root or CAP_NET_RAW " +
                "(or use EtherCAT over UDP).", e);
        }
        Name = $"raw {interfaceName}";
        Source.CopyTo(_tx.AsSpan(6));
        _tx.AsSpan(0, 6).Fill(0xFF);
        BinaryPrimitives.WriteUInt16BigEndian(_tx.AsSpan(12), EcFrame.EtherType);
    }

    public string Name { get; }

    /// <summary>Where to copy every frame sent and received, whole (null: nowhere).</summary>
    public IEcCapture? Capture { get; set; }

    public void Send(ReadOnlySpan<byte> payload)
    {
        payload.CopyTo(_tx.AsSpan(EthernetHeader));
        int length = EthernetHeader + payload.Length;
        if (length < MinimumFrame)
        {
            _tx.AsSpan(length, MinimumFrame - length).Clear();
            length = MinimumFrame;
        }
        _socket.Send(_tx.AsSpan(0, length));
        Capture?.Ethernet(_tx.AsSpan(0, length));
    }

    public int Receive(Span<byte> payload, TimeSpan timeout)
    {
        if (!_socket.Poll((int)Math.Clamp(timeout.TotalMilliseconds * 1000, 0, int.MaxValue), SelectMode.SelectRead)) return 0;
        int n = _socket.Receive(_rx);
        if (n < EthernetHeader + EcFrame.HeaderLength || BinaryPrimitives.ReadUInt16BigEndian(_rx.AsSpan(12)) != EcFrame.EtherType) return 0;
        Capture?.Ethernet(_rx.AsSpan(0, n));
        // The EtherCAT header says how much of the (possibly padded) frame is EtherCAT.
        int length = Math.Min(n - EthernetHeader, EcFrame.HeaderLength + (BinaryPrimitives.ReadUInt16LittleEndian(_rx.AsSpan(EthernetHeader)) & 0x7FF));
        if (length > payload.Length) return 0;
        _rx.AsSpan(EthernetHeader, length).CopyTo(payload);
        return length;
    }

    public void Dispose() => _socket.Dispose();

    /// <summary>A sockaddr_ll (family, protocol BE16, ifindex) for binding an AF_PACKET socket: no P/Invoke needed.</summary>
    internal sealed class PacketEndPoint(int interfaceIndex, ushort protocol) : EndPoint
    {
        public override AddressFamily AddressFamily => AddressFamily.Packet;

        public override SocketAddress Serialize()
        {
            var address = new SocketAddress(AddressFamily.Packet, 20);
            address[2] = (byte)(protocol >> 8);
            address[3] = (byte)protocol;
            address[4] = (byte)interfaceIndex;
            address[5] = (byte)(interfaceIndex >> 8);
            address[6] = (byte)(interfaceIndex >> 16);
            address[7] = (byte)(interfaceIndex >> 24);
            return address;
        }

        public override EndPoint Create(SocketAddress socketAddress) => this;
    }
}

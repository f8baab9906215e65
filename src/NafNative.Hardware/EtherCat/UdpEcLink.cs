using System.Net;
using System.Net.Sockets;

namespace NafNative.Hardware.EtherCat;

/// <summary>EtherCAT over UDP (port 34980; ETG.1000.4 Annex): the EtherCAT payload is the UDP payload. For setups
/// without raw socket access, and for tests on loopback. A connected socket: sends and receives allocate nothing.</summary>
public sealed class UdpEcLink : IEcLink
{
    private readonly Socket _socket;

    /// <param name="segment">Where the segment listens (an ESC with UDP support, or <c>naf sim-robot ethercat</c>).</param>
    public UdpEcLink(IPEndPoint segment)
    {
        ArgumentNullException.ThrowIfNull(segment);
        _socket = new Socket(segment.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            _socket.Connect(segment);
        }
        catch (SocketException e)
        {
            _socket.Dispose();
            throw new IOException($"EtherCAT over UDP: cannot reach {segment}: {e.Message}.", e);
        }
        Name = $"udp {segment}";
        (_local, _remote) = ((IPEndPoint)_socket.LocalEndPoint!, segment);
    }

    private readonly IPEndPoint _local, _remote;

    public string Name { get; }

    /// <summary>Where to copy every datagram sent and received (null: nowhere).</summary>
    public IEcCapture? Capture { get; set; }

    public void Send(ReadOnlySpan<byte> payload)
    {
        try
        {
            _socket.Send(payload);
            Capture?.Udp(payload, _local, _remote);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            // The ICMP "port unreachable" of an earlier frame: nobody is listening; this frame counts as lost.
        }
    }

    public int Receive(Span<byte> payload, TimeSpan timeout)
    {
        long microseconds = Math.Max(0, (long)(timeout.TotalMilliseconds * 1000));
        try
        {
            if (!_socket.Poll((int)Math.Min(int.MaxValue, microseconds), SelectMode.SelectRead)) return 0;
            int n = _socket.Receive(payload);
            if (n > 0) Capture?.Udp(payload[..n], _remote, _local);
            return n;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return 0; // nobody listening (yet): the ICMP error of an earlier send; counts as a lost frame
        }
    }

    public void Dispose() => _socket.Dispose();
}

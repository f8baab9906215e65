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
    }

    public string Name { get; }

    public void Send(ReadOnlySpan<byte> payload)
    {
        try
        {
            _socket.Send(payload);
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
            return _socket.Receive(payload);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return 0; // nobody listening (yet): the ICMP error of an earlier send; counts as a lost frame
        }
    }

    public void Dispose() => _socket.Dispose();
}

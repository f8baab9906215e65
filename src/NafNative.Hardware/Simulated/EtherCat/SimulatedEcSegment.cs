using System.Net;
using System.Net.Sockets;
using NafNative.Hardware.EtherCat;

namespace NafNative.Hardware.Simulated.EtherCat;

// Design: one thread (Run) receives each frame on the UDP socket, passes every datagram through every slave in
// order (as the frame travels the segment) and sends it back to whoever sent it. Slaves are touched by that thread
// only; Inject and counters use Interlocked / volatile.

/// <summary>A segment of simulated EtherCAT slaves answering EtherCAT-over-UDP frames on loopback, with injectable
/// lost frames.</summary>
public sealed class SimulatedEcSegment : IDisposable
{
    private readonly SimulatedEsc[] _slaves;
    private readonly Socket _socket;
    private readonly Thread _thread;
    private readonly EcDatagram[] _datagrams = new EcDatagram[64];
    private volatile bool _stop;
    private int _dropNext;

    public SimulatedEcSegment(IReadOnlyList<SimulatedEsc> slaves, int port = 0)
    {
        ArgumentNullException.ThrowIfNull(slaves);
        _slaves = [.. slaves];
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
        EndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        _thread = new Thread(Run) { IsBackground = true, Name = "sim-ethercat" };
        _thread.Start();
    }

    /// <summary>Where the segment listens (127.0.0.1 and the port).</summary>
    public IPEndPoint EndPoint { get; }
    public IReadOnlyList<SimulatedEsc> Slaves => _slaves;
    public long FramesReceived => Interlocked.Read(ref _received);
    public long FramesDropped => Interlocked.Read(ref _dropped);
    private long _received, _dropped;

    /// <summary>The next <paramref name="count"/> frames are lost (not answered).</summary>
    public void DropFrames(int count) => Interlocked.Add(ref _dropNext, count);

    public void Dispose()
    {
        _stop = true;
        _socket.Dispose();
        _thread.Join(TimeSpan.FromSeconds(2));
    }

    private void Run()
    {
        var buffer = new byte[2048];
        EndPoint sender = new IPEndPoint(IPAddress.Any, 0);
        while (!_stop)
        {
            int n;
            try
            {
                if (!_socket.Poll(20_000, SelectMode.SelectRead)) continue;
                n = _socket.ReceiveFrom(buffer, ref sender);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }
            Interlocked.Increment(ref _received);
            if (Volatile.Read(ref _dropNext) > 0 && Interlocked.Decrement(ref _dropNext) >= 0)
            {
                Interlocked.Increment(ref _dropped);
                continue;
            }
            Span<byte> payload = buffer.AsSpan(0, n);
            int count = EcFrame.Parse(payload, _datagrams);
            if (count < 0) continue; // a malformed frame is not forwarded
            foreach (var slave in _slaves)
            {
                // Each slave sees the ADP values as the previous slaves left them: re-parse after each one.
                EcFrame.Parse(payload, _datagrams);
                for (int i = 0; i < count; i++) slave.Process(payload, _datagrams[i]);
            }
            try
            {
                _socket.SendTo(payload, sender);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }
        }
    }
}

using System.Net;
using System.Net.Sockets;
using NafNative.Hardware.EtherCat;

namespace NafNative.Hardware.Simulated.EtherCat;

// Design: one thread (Run) receives each frame (UDP on loopback, or raw Ethernet on an interface, possibly inside a
// network namespace that thread enters), passes every datagram through every slave in order (as the frame travels
// the segment) and sends it back. Slaves are touched by that thread only; DropFrames and counters use Interlocked.

/// <summary>A segment of simulated EtherCAT slaves answering EtherCAT frames over UDP on loopback or on raw
/// Ethernet, with injectable lost frames.</summary>
public sealed class SimulatedEcSegment : IDisposable
{
    private readonly SimulatedEsc[] _slaves;
    private readonly Socket _socket;
    private readonly bool _raw;
    private readonly Thread _thread;
    private readonly EcDatagram[] _datagrams = new EcDatagram[64];
    private volatile bool _stop;
    private int _dropNext;
    private SimulatedCia402Drive[] _drives = [];
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private TimeSpan _lastUpdate;
    private long[] _lastOutputs = [];

    /// <summary>The SyncManager watchdog: a slave in OP whose outputs stop arriving for this long drops to
    /// SAFE-OP+ERROR with AL status code 0x001B (ETG.1000.4; the ESC's 0x0420 watchdog, 100 ms by default).</summary>
    public TimeSpan SmWatchdog { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Simulated seconds per wall-clock second for the drives' motion.</summary>
    public double TimeScale { get; init; } = 1;

    /// <summary>A segment of CiA 402 drives (each behind its own ESC), over UDP on 127.0.0.1 or on raw Ethernet.</summary>
    public static SimulatedEcSegment ForDrives(IReadOnlyList<SimulatedCia402Drive> drives, int udpPort = 0, IServoDynamics? dynamics = null, double timeScale = 1)
    {
        var segment = new SimulatedEcSegment(drives.Select(d => d.Esc).ToArray(), udpPort) { Dynamics = dynamics, TimeScale = timeScale };
        segment.AttachDrives(drives);
        return segment;
    }

    /// <summary>Moves the drives' shafts together by arm dynamics instead of each drive's own lag (set before the
    /// master starts; one servo per drive, in drive order).</summary>
    public IServoDynamics? Dynamics { get; init; }
    private double[] _shaftQ = [], _shaftQd = [], _shaftCommand = [];
    private bool[] _shaftPowered = [];

    /// <summary>Lets the drives behind the slaves run after every frame (call before the master starts).</summary>
    public void AttachDrives(IReadOnlyList<SimulatedCia402Drive> drives)
    {
        int n = drives.Count;
        (_shaftQ, _shaftQd, _shaftCommand, _shaftPowered) = (new double[n], new double[n], new double[n], new bool[n]);
        Volatile.Write(ref _lastOutputs, new long[drives.Count]);
        Volatile.Write(ref _drives, [.. drives]);
    }

    /// <summary>A segment answering EtherCAT over UDP on 127.0.0.1 (<paramref name="port"/> 0: any free port).</summary>
    public SimulatedEcSegment(IReadOnlyList<SimulatedEsc> slaves, int port = 0)
    {
        ArgumentNullException.ThrowIfNull(slaves);
        _slaves = [.. slaves];
        _offUntil = new long[_slaves.Length];
        SetLine(_slaves);
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
        EndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        _thread = new Thread(Run) { IsBackground = true, Name = "sim-ethercat" };
        _thread.Start();
    }

    private SimulatedEcSegment(SimulatedEsc[] slaves, Socket socket, string where)
    {
        _slaves = slaves;
        _offUntil = new long[_slaves.Length];
        SetLine(_slaves);
        _socket = socket;
        _raw = true;
        EndPoint = new IPEndPoint(IPAddress.None, 0);
        Where = where;
        _thread = new Thread(Run) { IsBackground = true, Name = "sim-ethercat" };
        _thread.Start();
    }

    private static void SetLine(SimulatedEsc[] slaves)
    {
        for (int i = 0; i < slaves.Length; i++) slaves[i].SetLinePosition(last: i == slaves.Length - 1);
    }

    /// <summary>A segment on raw Ethernet: the interface <paramref name="interfaceName"/>, inside network namespace
    /// <paramref name="networkNamespace"/> when given (root only), as real slaves sit at the end of a cable.</summary>
    public static SimulatedEcSegment OnInterface(IReadOnlyList<SimulatedEsc> slaves, string interfaceName, string? networkNamespace = null)
    {
        ArgumentNullException.ThrowIfNull(slaves);
        Socket? socket = null;
        Exception? failure = null;
        // setns moves only the calling thread, so the socket is made on a thread of its own that enters the namespace.
        var opener = new Thread(() =>
        {
            try
            {
                if (networkNamespace is not null) Hardware.Posix.Libc.EnterNetworkNamespace(networkNamespace);
                int index = Hardware.Posix.Libc.InterfaceIndex(interfaceName);
                socket = new Socket(AddressFamily.Packet, SocketType.Raw, (ProtocolType)System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(EcFrame.EtherType));
                socket.Bind(new RawEthernetLink.PacketEndPoint(index, EcFrame.EtherType));
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        opener.Start();
        opener.Join();
        if (failure is not null) throw new IOException($"simulated EtherCAT segment on {interfaceName}{(networkNamespace is null ? "" : $" in namespace {networkNamespace}")}: {failure.Message}", failure);
        return new SimulatedEcSegment([.. slaves], socket!, $"raw {interfaceName}");
    }

    /// <summary>Where the segment listens (127.0.0.1 and the port; for a raw segment IPAddress.None).</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>"udp 127.0.0.1:PORT" or "raw IFNAME".</summary>
    public string Where { get => field ?? $"udp {EndPoint}"; private init; }
    public IReadOnlyList<SimulatedEsc> Slaves => _slaves;
    public long FramesReceived => Interlocked.Read(ref _received);
    public long FramesDropped => Interlocked.Read(ref _dropped);
    private long _received, _dropped;

    /// <summary>The next <paramref name="count"/> frames are lost (not answered).</summary>
    public void DropFrames(int count) => Interlocked.Add(ref _dropNext, count);

    /// <summary>The next <paramref name="count"/> frames are answered damaged (see <see cref="EcFaultKind.CorruptDatagrams"/>).</summary>
    public void CorruptFrames(int count) => Interlocked.Add(ref _corruptNext, count);

    /// <summary>Replies sent damaged so far.</summary>
    public long FramesCorrupted => Interlocked.Read(ref _corrupted);
    private long _corrupted;
    private int _corruptNext, _loseRepliesNext;

    /// <summary>Replies lost after the slaves processed their frame (<see cref="EcFaultKind.LostReplies"/>).</summary>
    public long RepliesLost => Interlocked.Read(ref _repliesLost);
    private long _repliesLost;

    // Flips the first datagram's length field (odd replies) or its working counter's high byte (even ones): what a
    // master must catch as a reply that does not fit its request.
    private void Corrupt(Span<byte> payload)
    {
        long k = Interlocked.Increment(ref _corrupted);
        int at = EcFrame.HeaderLength;
        if (k % 2 == 1) payload[at + 6] ^= 0x01;
        else
        {
            int length = System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(payload[(at + 6)..]) & 0x7FF;
            payload[at + 10 + length + 1] ^= 0xFF;
        }
    }

    /// <summary>Applies an injected fault. Slave faults are applied by the segment's thread at its next tick.</summary>
    public void Inject(EcFault fault)
    {
        switch (fault.Kind)
        {
            case EcFaultKind.LostFrames: DropFrames(fault.Count); break;
            case EcFaultKind.LinkDown: DropFrames(int.MaxValue / 2); break;
            case EcFaultKind.CorruptDatagrams: CorruptFrames(fault.Count); break;
            case EcFaultKind.LostReplies: Interlocked.Add(ref _loseRepliesNext, fault.Count); break;
            default:
                if ((uint)fault.Slave >= (uint)_slaves.Length)
                    throw new ArgumentOutOfRangeException(nameof(fault), fault.Slave, $"the segment has slaves 0..{_slaves.Length - 1}.");
                if (fault.Kind == EcFaultKind.DriveFault && Volatile.Read(ref _drives).Length <= fault.Slave)
                    throw new ArgumentException($"slave {fault.Slave} has no drive behind it.", nameof(fault));
                lock (_pendingFaults) _pendingFaults.Enqueue(fault);
                break;
        }
    }

    private readonly Queue<EcFault> _pendingFaults = new();

    private void ApplyPendingFaults()
    {
        lock (_pendingFaults)
        {
            while (_pendingFaults.TryDequeue(out var f))
            {
                if (f.Kind == EcFaultKind.SafeOpError) _slaves[f.Slave].Fail(AlState.SafeOp, 0x001A);
                else if (f.Kind == EcFaultKind.SlaveLost)
                {
                    // Power is lost now; the ESC starts afresh while it is off, so it answers as new when it returns.
                    _slaves[f.Slave].PowerCycle();
                    _offUntil[f.Slave] = (_clock.Elapsed + TimeSpan.FromMilliseconds(f.Count)).Ticks;
                }
                else Volatile.Read(ref _drives)[f.Slave].InjectFault();
            }
        }
    }

    // Segment thread only: per slave, until when (clock ticks) it is without power (0: powered).
    private readonly long[] _offUntil;

    private int Reachable()
    {
        long now = _clock.Elapsed.Ticks;
        for (int s = 0; s < _slaves.Length; s++)
            if (_offUntil[s] > now) return s;
        return _slaves.Length;
    }

    public void Dispose()
    {
        _stop = true;
        _socket.Dispose();
        _thread.Join(TimeSpan.FromSeconds(2));
    }

    // Advances the drives by the time since the last tick and applies the SM watchdog.
    private void TickDrives(bool checkWatchdog)
    {
        if (_pendingFaults.Count > 0) ApplyPendingFaults();
        var drives = Volatile.Read(ref _drives);
        if (drives.Length == 0) return;
        var now = _clock.Elapsed;
        double seconds = (now - _lastUpdate).TotalSeconds * TimeScale;
        _lastUpdate = now;
        var last = Volatile.Read(ref _lastOutputs);
        for (int i = 0; i < drives.Length; i++)
        {
            var esc = drives[i].Esc;
            if (esc.ProcessDataWritten)
            {
                esc.ProcessDataWritten = false;
                last[i] = now.Ticks;
            }
            if (checkWatchdog && esc.State == AlState.Op && !esc.ErrorFlag && last[i] != 0 && now.Ticks - last[i] > SmWatchdog.Ticks)
                esc.Fail(AlState.SafeOp, 0x001B);
            if (esc.State != AlState.Op) last[i] = 0;
            drives[i].Update(seconds, moveShaft: Dynamics is null);
        }
        if (Dynamics is null || seconds <= 0) return;
        for (int i = 0; i < drives.Length; i++)
        {
            _shaftQ[i] = drives[i].ShaftRadians;
            _shaftQd[i] = drives[i].ShaftRadiansPerSecond;
            _shaftCommand[i] = drives[i].CommandedRadiansPerSecond;
            _shaftPowered[i] = drives[i].Powered;
        }
        Dynamics.Advance(seconds, _shaftCommand, _shaftPowered, _shaftQ, _shaftQd);
        for (int i = 0; i < drives.Length; i++)
        {
            drives[i].SetShaft(_shaftQ[i], _shaftQd[i]);
            drives[i].PublishInputs();
        }
    }

    private void Run()
    {
        // Like an ESC, the simulator answers on time even on a loaded machine, where permitted.
        Hardware.Posix.Libc.TrySetRealtimePriority(10);
        var buffer = new byte[2048];
        EndPoint sender = new IPEndPoint(IPAddress.Any, 0);
        while (!_stop)
        {
            int n;
            try
            {
                // The SM watchdog is judged only when nothing waits in the socket: a simulator thread starved of CPU
                // must not blame the master for frames it has not read yet.
                if (!_socket.Poll(5_000, SelectMode.SelectRead))
                {
                    TickDrives(checkWatchdog: true);
                    continue;
                }
                n = _raw ? _socket.Receive(buffer) : _socket.ReceiveFrom(buffer, ref sender);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }
            // A raw frame: Ethernet header (14) first; the EtherCAT header says how much of a padded frame is EtherCAT.
            int offset = 0;
            if (_raw)
            {
                if (n < 16 || buffer[12] != 0x88 || buffer[13] != 0xA4) continue;
                offset = RawEthernetLink.EthernetHeader;
                n = Math.Min(n - offset, EcFrame.HeaderLength + (System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(offset)) & 0x7FF));
            }
            Interlocked.Increment(ref _received);
            if (Volatile.Read(ref _dropNext) > 0 && Interlocked.Decrement(ref _dropNext) >= 0)
            {
                Interlocked.Increment(ref _dropped);
                continue;
            }
            Span<byte> payload = buffer.AsSpan(offset, n);
            int count = EcFrame.Parse(payload, _datagrams);
            if (count < 0) continue; // a malformed frame is not forwarded
            // A slave without power cuts the line: the frame turns back at the slave before it, or is lost.
            int reachable = Reachable();
            if (reachable == 0)
            {
                Interlocked.Increment(ref _dropped);
                continue;
            }
            for (int s = 0; s < reachable; s++)
            {
                // Each slave sees the ADP values as the previous slaves left them: re-parse after each one.
                EcFrame.Parse(payload, _datagrams);
                for (int i = 0; i < count; i++) _slaves[s].Process(payload, _datagrams[i]);
            }
            TickDrives(checkWatchdog: false);
            if (Volatile.Read(ref _corruptNext) > 0 && Interlocked.Decrement(ref _corruptNext) >= 0) Corrupt(payload);
            if (Volatile.Read(ref _loseRepliesNext) > 0 && Interlocked.Decrement(ref _loseRepliesNext) >= 0)
            {
                Interlocked.Increment(ref _repliesLost);
                continue;
            }
            try
            {
                if (_raw)
                {
                    // An ESC returns the frame as it came, with bit 1 of the first source-MAC byte set (it passed a slave).
                    buffer[6] |= 0x02;
                    int length = Math.Max(RawEthernetLink.MinimumFrame, offset + n);
                    if (offset + n < length) buffer.AsSpan(offset + n, length - offset - n).Clear();
                    _socket.Send(buffer.AsSpan(0, length));
                }
                else _socket.SendTo(payload, sender);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }
        }
    }
}

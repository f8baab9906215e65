using System.Buffers.Binary;
using System.Diagnostics;
using NafNative.Hardware.Dynamixel;

namespace NafNative.Hardware.Simulated;

// Design:
// - One thread (Run, started by Start) reads the pty, decodes instruction packets, lets each addressed servo act on
//   them and writes the status packets back in protocol order (sync/bulk read: list order; broadcast ping: ID order).
// - Joint motion is integrated lazily: before each packet is handled, simulated time advances by the wall time since
//   the last advance × TimeScale, so what a reply reports is the state at the moment it was asked for.
// - Everything mutable (servos, horn state, fault queue, counters) is guarded by _gate: the loop holds it while it
//   handles a packet; test and CLI threads take it for Snapshot and Inject. Replies are written outside the lock.

/// <summary>A chain of simulated Dynamixel X-series servos answering Protocol 2.0 on a pseudo-terminal: ping, read,
/// write, reg write + action, reboot, factory reset, sync and bulk read/write, with the control table's rules,
/// joint motion through an <see cref="IServoDynamics"/>, and injectable faults.</summary>
public sealed class SimulatedDynamixelChain : IDisposable
{
    private readonly PseudoTerminal _pty;
    private readonly SimulatedServo[] _servos;
    private readonly IServoDynamics _dynamics;
    private readonly double[] _position, _velocity, _commanded;
    private readonly bool[] _torque;
    private readonly long[] _lastInstruction;
    private readonly Lock _gate = new();
    private readonly Queue<ServoFault> _replyFaults = new();
    private readonly byte[] _rx = new byte[4 * DynamixelPacket.MaxPacketLength];
    private readonly byte[] _parameters = new byte[DynamixelPacket.MaxPacketLength];
    private readonly byte[] _data = new byte[DynamixelPacket.MaxPacketLength];
    // Replies the packet being handled produced: packets back to back in _replies, (servo, offset, length) in
    // _pending. Preallocated, so the chain's steady state allocates nothing (allocation benchmarks of the master
    // measure the master alone).
    private readonly byte[] _replies = new byte[64 * DynamixelPacket.MaxPacketLength];
    private readonly (int Servo, int Offset, int Length)[] _pending = new (int, int, int)[256];
    private int _pendingCount, _repliesEnd;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan _simulatedAt;
    private double _simulatedSeconds;
    private Thread? _thread;
    private volatile bool _stop;
    private Exception? _failure;

    /// <param name="servos">The chain, each with a distinct ID.</param>
    /// <param name="dynamics">Moves the horns; null for independent first-order servos.</param>
    /// <param name="timeScale">Simulated seconds per wall-clock second (1 = real time).</param>
    /// <param name="initialPositions">Horn angles (rad) at power-on; zeros when null.</param>
    public SimulatedDynamixelChain(IReadOnlyList<SimulatedServo> servos, IServoDynamics? dynamics = null, double timeScale = 1,
        ReadOnlySpan<double> initialPositions = default)
    {
        ArgumentNullException.ThrowIfNull(servos);
        if (servos.Count == 0) throw new ArgumentException("SimulatedDynamixelChain: give at least one servo.", nameof(servos));
        var ids = new HashSet<byte>();
        foreach (var s in servos)
            if (!ids.Add(s.Id)) throw new ArgumentException($"SimulatedDynamixelChain: ID {s.Id} appears twice; every servo on a bus needs its own ID.", nameof(servos));
        if (!(timeScale > 0 && double.IsFinite(timeScale))) throw new ArgumentOutOfRangeException(nameof(timeScale), timeScale, "SimulatedDynamixelChain: time scale must be positive.");
        _dynamics = dynamics ?? new FirstOrderServoDynamics(servos.Count);
        if (_dynamics.Count != servos.Count)
            throw new ArgumentException($"SimulatedDynamixelChain: the dynamics move {_dynamics.Count} joints but the chain has {servos.Count} servos.", nameof(dynamics));
        _servos = [.. servos];
        int n = _servos.Length;
        _position = new double[n];
        _velocity = new double[n];
        _commanded = new double[n];
        _torque = new bool[n];
        _lastInstruction = new long[n];
        if (!initialPositions.IsEmpty)
        {
            if (initialPositions.Length != n) throw new ArgumentException($"SimulatedDynamixelChain: {initialPositions.Length} initial positions for {n} servos.", nameof(initialPositions));
            initialPositions.CopyTo(_position);
        }
        TimeScale = timeScale;
        for (int i = 0; i < n; i++) _servos[i].UpdatePresent(_position[i], 0, 0);
        _pty = new PseudoTerminal();
    }

    /// <summary>The device a client opens (e.g. /dev/pts/5).</summary>
    public string PortPath => _pty.SlavePath;
    public double TimeScale { get; }
    public long PacketsReceived { get; private set; }
    public long StatusPacketsSent { get; private set; }
    public long FaultsApplied { get; private set; }
    public long CorruptPacketsReceived { get; private set; }

    /// <summary>Simulated seconds since start.</summary>
    public double SimulatedSeconds { get { lock (_gate) return _simulatedSeconds; } }

    /// <summary>The loop's failure, if it stopped on one.</summary>
    public Exception? Failure => Volatile.Read(ref _failure);

    public void Start()
    {
        if (_thread is not null) return;
        _clock.Restart();
        _simulatedAt = TimeSpan.Zero;
        _thread = new Thread(Run) { IsBackground = true, Name = "sim-dynamixel" };
        _thread.Start();
    }

    /// <summary>Queues a fault: reply faults affect the next status packets; servo faults apply at once.</summary>
    public void Inject(ServoFault fault)
    {
        lock (_gate)
        {
            switch (fault.Kind)
            {
                case ServoFaultKind.DropReply or ServoFaultKind.CorruptCrc or ServoFaultKind.DelayReply:
                    _replyFaults.Enqueue(fault);
                    break;
                case ServoFaultKind.Overload:
                    ServoById(fault.Id).LatchHardwareError(HardwareErrorBits.Overload);
                    break;
                case ServoFaultKind.Unplug:
                    ServoById(fault.Id).Unplugged = true;
                    break;
                case ServoFaultKind.Replug:
                    var s = ServoById(fault.Id);
                    s.Unplugged = false;
                    s.Reboot(); // power-on state: torque off
                    break;
            }
        }
    }

    /// <summary>Each servo's state now (under the chain's lock).</summary>
    public SimulatedServoState[] Snapshot()
    {
        lock (_gate)
        {
            AdvanceLocked();
            var states = new SimulatedServoState[_servos.Length];
            for (int i = 0; i < _servos.Length; i++)
            {
                var s = _servos[i];
                states[i] = new SimulatedServoState(s.Id, s.TorqueEnabled, s.OperatingMode, s.GoalVelocity, s.MaxRequestedGoalVelocity,
                    s.GoalVelocityWrites, s.HardwareError, s.BusWatchdog, _position[i], _velocity[i], _commanded[i]);
            }
            return states;
        }
    }

    /// <summary>Sets the horn angles now (e.g. a test starting the arm elsewhere); velocities to zero.</summary>
    public void SetPositions(ReadOnlySpan<double> positions)
    {
        lock (_gate)
        {
            positions.CopyTo(_position);
            Array.Clear(_velocity);
        }
    }

    public void Dispose()
    {
        _stop = true;
        _thread?.Join(TimeSpan.FromSeconds(2));
        _pty.Dispose();
    }

    private SimulatedServo ServoById(byte id)
    {
        foreach (var s in _servos) if (s.Id == id) return s;
        throw new ArgumentException($"SimulatedDynamixelChain: no servo with ID {id} (IDs {string.Join(", ", _servos.Select(s => s.Id))}).", nameof(id));
    }

    private void Run()
    {
        // Like a servo's firmware, the simulator answers on time even on a loaded machine, where permitted.
        Posix.Libc.TrySetRealtimePriority(10);
        int end = 0;
        try
        {
            while (!_stop)
            {
                if (end == _rx.Length) end = 0; // a full buffer with no packet in it is garbage
                int n = _pty.Read(_rx.AsSpan(end), TimeSpan.FromMilliseconds(20));
                end += n;
                bool idle = n == 0;
                int start = 0;
                while (true)
                {
                    var result = DynamixelDecoder.Decode(_rx.AsSpan(start, end - start), _parameters, out var frame, out int consumed);
                    start += consumed;
                    if (result == DecodeResult.NeedMoreData) break;
                    if (result == DecodeResult.Corrupt) { CorruptPacketsReceived++; continue; }
                    if (frame.IsStatus) continue; // another master's reply or our own echo: not for the servos
                    lock (_gate)
                    {
                        PacketsReceived++;
                        AdvanceLocked(checkWatchdogs: false);
                        Handle(frame, _parameters.AsSpan(0, frame.ParameterLength));
                    }
                    SendPending();
                }
                _rx.AsSpan(start, end - start).CopyTo(_rx);
                end -= start;
                // Bus watchdogs are judged only when the line is really quiet (nothing was waiting in the pty): a
                // simulator thread that was starved of CPU must not blame the master for packets it has not read yet.
                lock (_gate) AdvanceLocked(checkWatchdogs: idle);
            }
        }
        catch (Exception e)
        {
            Volatile.Write(ref _failure, e);
        }
    }

    private void AdvanceLocked(bool checkWatchdogs = false)
    {
        TimeSpan now = _clock.Elapsed;
        double seconds = (now - _simulatedAt).TotalSeconds * TimeScale;
        _simulatedAt = now;
        long nowTicks = Stopwatch.GetTimestamp();
        if (checkWatchdogs)
            for (int i = 0; i < _servos.Length; i++)
                _servos[i].CheckBusWatchdog(Stopwatch.GetElapsedTime(_lastInstruction[i] == 0 ? nowTicks : _lastInstruction[i], nowTicks) * TimeScale);
        const double MaxStep = 0.002;
        while (seconds > 1e-9)
        {
            double h = Math.Min(seconds, MaxStep);
            for (int i = 0; i < _servos.Length; i++)
            {
                _commanded[i] = _servos[i].CommandedVelocity(_position[i]);
                _torque[i] = _servos[i].TorqueEnabled && !_servos[i].Unplugged;
            }
            _dynamics.Advance(h, _commanded, _torque, _position, _velocity);
            seconds -= h;
            _simulatedSeconds += h;
        }
        int tick = (int)(_simulatedSeconds * 1000);
        for (int i = 0; i < _servos.Length; i++) _servos[i].UpdatePresent(_position[i], _velocity[i], tick);
    }

    private void Handle(DynamixelFrame frame, ReadOnlySpan<byte> p)
    {
        var instruction = (DynamixelInstruction)frame.Instruction;
        bool broadcast = frame.Id == DynamixelPacket.BroadcastId;
        switch (instruction)
        {
            case DynamixelInstruction.SyncRead or DynamixelInstruction.SyncWrite or DynamixelInstruction.BulkRead or DynamixelInstruction.BulkWrite:
                if (broadcast) HandleGroup(instruction, p);
                return;
            case DynamixelInstruction.FastSyncRead:
                if (broadcast) HandleFastSyncRead(p);
                return;
        }
        for (int i = 0; i < _servos.Length; i++)
        {
            var s = _servos[i];
            if (s.Unplugged || (!broadcast && s.Id != frame.Id)) continue;
            _lastInstruction[i] = Stopwatch.GetTimestamp();
            HandleOne(i, s, instruction, broadcast, p);
        }
    }

    private void HandleOne(int index, SimulatedServo s, DynamixelInstruction instruction, bool broadcast, ReadOnlySpan<byte> p)
    {
        bool repliesToWrite = !broadcast && s.StatusReturnLevel >= 2;
        switch (instruction)
        {
            case DynamixelInstruction.Ping:
                Span<byte> info = [(byte)s.Model.Number, (byte)(s.Model.Number >> 8), s.Model.Firmware];
                Reply(index, DynamixelStatusError.None, info); // PING always answers, broadcast too
                break;
            case DynamixelInstruction.Read:
                if (broadcast || s.StatusReturnLevel < 1) break;
                if (p.Length != 4) { Reply(index, DynamixelStatusError.DataLengthError, default); break; }
                int address = BinaryPrimitives.ReadUInt16LittleEndian(p), length = BinaryPrimitives.ReadUInt16LittleEndian(p[2..]);
                var readError = length > _data.Length ? DynamixelStatusError.DataLengthError : s.Read(address, length, _data);
                Reply(index, readError, readError == DynamixelStatusError.None ? _data.AsSpan(0, length) : default);
                break;
            case DynamixelInstruction.Write or DynamixelInstruction.RegWrite:
                var writeError = p.Length < 3 ? DynamixelStatusError.DataLengthError
                    : instruction == DynamixelInstruction.Write ? s.Write(BinaryPrimitives.ReadUInt16LittleEndian(p), p[2..])
                    : s.RegWrite(BinaryPrimitives.ReadUInt16LittleEndian(p), p[2..]);
                if (repliesToWrite) Reply(index, writeError, default);
                break;
            case DynamixelInstruction.Action:
                var actionError = s.Action();
                if (repliesToWrite) Reply(index, actionError, default);
                break;
            case DynamixelInstruction.Reboot:
                if (repliesToWrite) Reply(index, DynamixelStatusError.None, default);
                s.Reboot();
                break;
            case DynamixelInstruction.FactoryReset:
                byte option = p.Length > 0 ? p[0] : (byte)0xFF;
                if (broadcast && option == 0xFF) break; // ignored by firmware ≥ 42 (it would give every servo ID 1)
                if (repliesToWrite) Reply(index, DynamixelStatusError.None, default);
                s.FactoryReset(option);
                break;
            case DynamixelInstruction.Clear:
                if (repliesToWrite) Reply(index, Math.Abs(_velocity[index]) > 1e-3 ? DynamixelStatusError.ResultFail : DynamixelStatusError.None, default);
                break;
            default:
                if (!broadcast) Reply(index, DynamixelStatusError.InstructionError, default);
                break;
        }
    }

    private void HandleGroup(DynamixelInstruction instruction, ReadOnlySpan<byte> p)
    {
        if (instruction is DynamixelInstruction.SyncRead or DynamixelInstruction.SyncWrite)
        {
            if (p.Length < 4) return;
            int address = BinaryPrimitives.ReadUInt16LittleEndian(p), length = BinaryPrimitives.ReadUInt16LittleEndian(p[2..]);
            int stride = instruction == DynamixelInstruction.SyncRead ? 1 : 1 + length;
            for (int at = 4; at + stride <= p.Length; at += stride)
            {
                int i = IndexOf(p[at]);
                if (i < 0) continue;
                var s = _servos[i];
                _lastInstruction[i] = Stopwatch.GetTimestamp();
                if (instruction == DynamixelInstruction.SyncWrite) s.Write(address, p.Slice(at + 1, length));
                else if (s.StatusReturnLevel >= 1)
                {
                    var error = length > _data.Length ? DynamixelStatusError.DataLengthError : s.Read(address, length, _data);
                    Reply(i, error, error == DynamixelStatusError.None ? _data.AsSpan(0, length) : default);
                }
            }
            return;
        }
        for (int at = 0; at + 5 <= p.Length;)
        {
            int i = IndexOf(p[at]);
            int address = BinaryPrimitives.ReadUInt16LittleEndian(p[(at + 1)..]), length = BinaryPrimitives.ReadUInt16LittleEndian(p[(at + 3)..]);
            bool write = instruction == DynamixelInstruction.BulkWrite;
            if (write && at + 5 + length > p.Length) return;
            if (i >= 0)
            {
                var s = _servos[i];
                _lastInstruction[i] = Stopwatch.GetTimestamp();
                if (write) s.Write(address, p.Slice(at + 5, length));
                else if (s.StatusReturnLevel >= 1)
                {
                    var error = length > _data.Length ? DynamixelStatusError.DataLengthError : s.Read(address, length, _data);
                    Reply(i, error, error == DynamixelStatusError.None ? _data.AsSpan(0, length) : default);
                }
            }
            at += write ? 5 + length : 5;
        }
    }

    // One combined, unstuffed reply: ERR, ID, DATA, CRC per listed servo, each CRC the running CRC of the packet so far
    // (ROBOTIS e-manual, "Fast Sync Read"). A listed servo that is absent leaves its block out, as a real bus would.
    private void HandleFastSyncRead(ReadOnlySpan<byte> p)
    {
        if (p.Length < 5) return;
        int address = BinaryPrimitives.ReadUInt16LittleEndian(p), length = BinaryPrimitives.ReadUInt16LittleEndian(p[2..]);
        int first = -1, count = 0;
        for (int at = 4; at < p.Length; at++)
        {
            int i = IndexOf(p[at]);
            if (i < 0 || _servos[i].StatusReturnLevel < 1) continue;
            _lastInstruction[i] = Stopwatch.GetTimestamp();
            if (first < 0) first = i;
            count++;
        }
        if (count == 0 || length > _data.Length || _pendingCount == _pending.Length) return;
        int total = DynamixelPacket.PrefixLength + 1 + count * (length + 4);
        if (_repliesEnd + total > _replies.Length || total > DynamixelPacket.MaxPacketLength) return;
        Span<byte> packet = _replies.AsSpan(_repliesEnd, total);
        packet[0] = 0xFF; packet[1] = 0xFF; packet[2] = 0xFD; packet[3] = 0x00; packet[4] = DynamixelPacket.BroadcastId;
        BinaryPrimitives.WriteUInt16LittleEndian(packet[5..], (ushort)(total - DynamixelPacket.PrefixLength));
        packet[7] = (byte)DynamixelInstruction.Status;
        int w = 8;
        for (int at = 4; at < p.Length; at++)
        {
            int i = IndexOf(p[at]);
            if (i < 0 || _servos[i].StatusReturnLevel < 1) continue;
            var error = _servos[i].Read(address, length, _data);
            packet[w++] = _servos[i].ErrorByte(error);
            packet[w++] = _servos[i].Id;
            _data.AsSpan(0, length).CopyTo(packet[w..]);
            w += length;
            BinaryPrimitives.WriteUInt16LittleEndian(packet[w..], DynamixelCrc.Compute(packet[..w]));
            w += 2;
        }
        _pending[_pendingCount++] = (first, _repliesEnd, total);
        _repliesEnd += total;
    }

    private int IndexOf(byte id)
    {
        for (int i = 0; i < _servos.Length; i++)
            if (_servos[i].Id == id && !_servos[i].Unplugged) return i;
        return -1;
    }

    private void Reply(int index, DynamixelStatusError error, ReadOnlySpan<byte> data)
    {
        var s = _servos[index];
        if (_pendingCount == _pending.Length || _repliesEnd + DynamixelPacket.MaxPacketLength > _replies.Length) return; // more replies than any request asks for
        int length = DynamixelPacket.WriteStatus(_replies.AsSpan(_repliesEnd), s.Id, s.ErrorByte(error), data);
        _pending[_pendingCount++] = (index, _repliesEnd, length);
        _repliesEnd += length;
    }

    // Writes the replies the last packet produced, each after its servo's Return Delay Time, applying queued faults.
    // Called by the loop thread only, after Handle, so _pending is not touched concurrently.
    private void SendPending()
    {
        for (int r = 0; r < _pendingCount; r++)
        {
            var (servo, offset, length) = _pending[r];
            Span<byte> packet = _replies.AsSpan(offset, length);
            ServoFault? fault = null;
            TimeSpan delay;
            lock (_gate)
            {
                if (_replyFaults.TryPeek(out var f))
                {
                    fault = f;
                    _replyFaults.Dequeue();
                    if (f.Count > 1) RequeueFront(f with { Count = f.Count - 1 });
                    FaultsApplied++;
                }
                delay = _servos[servo].ReturnDelay;
            }
            if (fault?.Kind == ServoFaultKind.DropReply) continue;
            if (fault?.Kind == ServoFaultKind.CorruptCrc) packet[^1] ^= 0x5A;
            if (fault?.Kind == ServoFaultKind.DelayReply) delay += fault.Value.Delay;
            Wait(delay);
            _pty.Write(packet);
            lock (_gate) StatusPacketsSent++;
        }
        _pendingCount = 0;
        _repliesEnd = 0;
    }

    private void RequeueFront(ServoFault fault)
    {
        var rest = _replyFaults.ToArray();
        _replyFaults.Clear();
        _replyFaults.Enqueue(fault);
        foreach (var f in rest) _replyFaults.Enqueue(f);
    }

    private static void Wait(TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero) return;
        long until = Stopwatch.GetTimestamp() + (long)(delay.TotalSeconds * Stopwatch.Frequency);
        if (delay > TimeSpan.FromMilliseconds(2)) Thread.Sleep(delay - TimeSpan.FromMilliseconds(1));
        while (Stopwatch.GetTimestamp() < until) Thread.SpinWait(20);
    }
}

/// <summary>One simulated servo's state, as <see cref="SimulatedDynamixelChain.Snapshot"/> reports it.</summary>
public readonly record struct SimulatedServoState(byte Id, bool TorqueEnabled, byte OperatingMode, int GoalVelocity,
    int MaxRequestedGoalVelocity, long GoalVelocityWrites, byte HardwareError, byte BusWatchdog,
    double Position, double Velocity, double CommandedVelocity);

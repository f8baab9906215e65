using System.Buffers.Binary;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace NafNative.Hardware.Dynamixel;

// Design:
// - One thread owns a bus (the robot's control thread, or a CLI command): every method is a blocking transaction on the
//   half-duplex line, so there is nothing to share. Counters are plain fields read by that thread (or after it stops).
// - Buffers are allocated once: the cyclic path (SyncRead + SyncWrite) allocates nothing.
// - Every read waits at most its timeout: wire time of the bytes both ways at the link's baud rate, plus the
//   configured latency. A timed-out or corrupted transaction is retried a bounded number of times, input discarded
//   first, so a late reply of the last attempt cannot be taken for the next one's.

/// <summary>Dynamixel Protocol 2.0 master on one serial bus: ping and scan, read, write, reg write + action, reboot,
/// factory reset, sync read/write and bulk read/write, with timeouts, retries and decoded errors.</summary>
/// <remarks>
/// <para>Errors: no (valid) reply after every retry → <see cref="DynamixelCommunicationException"/>; a status packet with
/// an error number → <see cref="DynamixelStatusException"/>; both name the servo ID, the instruction and the address.
/// The alert bit (a latched hardware error) is not an error of the transaction: reads report it through
/// <see cref="LastAlert"/> and, for sync/bulk reads, the per-servo error bytes.</para>
/// <para>Not thread-safe: one thread per bus.</para>
/// </remarks>
public sealed partial class DynamixelBus : IDisposable
{
    private readonly ISerialLink _link;
    private readonly DynamixelBusOptions _options;
    private readonly byte[] _tx = new byte[DynamixelPacket.MaxPacketLength];
    private readonly byte[] _txParameters = new byte[DynamixelPacket.MaxPacketLength];
    private readonly byte[] _rx = new byte[4 * DynamixelPacket.MaxPacketLength];
    private readonly byte[] _rxParameters = new byte[DynamixelPacket.MaxPacketLength];
    private int _rxStart, _rxEnd;
    private readonly double _secondsPerByte;

    public DynamixelBus(ISerialLink link, DynamixelBusOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(link);
        _options = options ?? new DynamixelBusOptions();
        _options.Validate();
        _link = link;
        _secondsPerByte = 10.0 / link.BaudRate; // start + 8 data + stop bits
    }

    public ISerialLink Link => _link;
    public DynamixelBusOptions Options => _options;

    /// <summary>Transactions started (one per call, whatever its retries).</summary>
    public long Transactions { get; private set; }
    /// <summary>Attempts repeated after a timeout or a corrupted reply.</summary>
    public long RetriedAttempts { get; private set; }
    /// <summary>Attempts whose reply did not arrive in time.</summary>
    public long Timeouts { get; private set; }
    /// <summary>Packets rejected by the decoder (CRC, length, ID) and replies of the wrong size.</summary>
    public long CorruptPackets { get; private set; }
    /// <summary>Bytes skipped while looking for a header.</summary>
    public long DiscardedBytes { get; private set; }
    /// <summary>The error byte of the last status packet received had its alert bit set (a hardware error is latched).</summary>
    public bool LastAlert { get; private set; }

    /// <summary>The timeout for a transaction that sends <paramref name="txBytes"/> and expects <paramref name="rxBytes"/>.</summary>
    public TimeSpan TimeoutFor(int txBytes, int rxBytes) =>
        TimeSpan.FromSeconds((txBytes + rxBytes) * _secondsPerByte) + _options.Latency;

    public void Dispose() => _link.Dispose();

    // ---- transactions ------------------------------------------------------------------------------------------

    // Sends one instruction and, when the servo answers it, receives its status into _rxParameters[..expected].
    // Returns the error byte (0 when no reply is expected). Retries timeouts and corruption; throws on status errors.
    private byte Transact(byte id, DynamixelInstruction instruction, int parameterCount, int? address, int expected, bool replies)
    {
        Transactions++;
        int corrupt = 0;
        int attempts = 1 + _options.Retries;
        for (int attempt = 0; attempt < attempts; attempt++)
        {
            if (attempt > 0)
            {
                RetriedAttempts++;
                Drain();
            }
            int sent = Send(id, instruction, parameterCount);
            if (!replies) return 0;
            long deadline = Deadline(TimeoutFor(sent, DynamixelPacket.StatusLength(expected)));
            var outcome = Receive(id, expected, deadline, out byte error, ref corrupt);
            if (outcome == Outcome.Ok)
            {
                if ((error & 0x7F) == (byte)DynamixelStatusError.CrcError) continue; // the servo saw a damaged packet: resend
                if ((error & 0x7F) != 0) throw new DynamixelStatusException(id, instruction, address, error);
                return error;
            }
        }
        throw NoReply(id, instruction, address, attempts, corrupt, expected);
    }

    // Before a retry: read and drop bytes until the line has been quiet for the latency allowance (at most 4 of them),
    // so a late reply to the attempt that timed out cannot be taken for the next attempt's reply (Protocol 2.0
    // packets carry no sequence number).
    private void Drain()
    {
        long giveUp = Deadline(4 * _options.Latency + TimeSpan.FromMilliseconds(1));
        var quiet = _options.Latency + TimeSpan.FromMilliseconds(1);
        while (Stopwatch.GetTimestamp() < giveUp)
        {
            int n = _link.Read(_rx, quiet);
            if (n == 0) return;
            DiscardedBytes += n;
        }
    }

    private int Send(byte id, DynamixelInstruction instruction, int parameterCount)
    {
        // Stale bytes (a late reply to a timed-out attempt) must not be taken for this transaction's reply.
        _link.DiscardInput();
        _rxStart = _rxEnd = 0;
        int length = DynamixelPacket.WriteInstruction(_tx, id, instruction, _txParameters.AsSpan(0, parameterCount));
        _link.Write(_tx.AsSpan(0, length));
        return length;
    }

    private enum Outcome { Ok, Timeout }

    // Reads until a status packet from `id` with `expected` parameter bytes arrives (copied to _rxParameters), or the
    // deadline passes. Packets from other IDs and instruction packets (an adapter echoing what it sent) are skipped.
    private Outcome Receive(byte id, int expected, long deadline, out byte error, ref int corrupt, bool unstuff = true)
    {
        error = 0;
        while (true)
        {
            var result = DynamixelDecoder.Decode(_rx.AsSpan(_rxStart, _rxEnd - _rxStart), _rxParameters, out DynamixelFrame frame, out int consumed, unstuff);
            if (result == DecodeResult.NeedMoreData) DiscardedBytes += consumed;
            _rxStart += consumed;
            if (result == DecodeResult.Corrupt)
            {
                corrupt++;
                CorruptPackets++;
                continue;
            }
            if (result == DecodeResult.Packet)
            {
                if (!frame.IsStatus || frame.Id != id) continue;
                if (frame.ParameterLength != expected && (frame.Error & 0x7F) == 0)
                {
                    corrupt++;
                    CorruptPackets++;
                    continue;
                }
                error = frame.Error;
                LastAlert = (error & DynamixelErrorText.AlertBit) != 0;
                return Outcome.Ok;
            }
            // Need more bytes: compact, then wait for them.
            if (_rxStart > 0)
            {
                _rx.AsSpan(_rxStart, _rxEnd - _rxStart).CopyTo(_rx);
                _rxEnd -= _rxStart;
                _rxStart = 0;
            }
            if (_rxEnd == _rx.Length)
            {
                // A buffer full of bytes with no packet in it: garbage; drop all but a possible partial header.
                DiscardedBytes += _rx.Length - 3;
                _rx.AsSpan(_rx.Length - 3).CopyTo(_rx);
                _rxEnd = 3;
            }
            long left = deadline - Stopwatch.GetTimestamp();
            if (left <= 0)
            {
                Timeouts++;
                return Outcome.Timeout;
            }
            int n = _link.Read(_rx.AsSpan(_rxEnd), Stopwatch.GetElapsedTime(0, left));
            _rxEnd += n;
        }
    }

    private static long Deadline(TimeSpan timeout) => Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);

    private bool WriteReplies(byte id) => id != DynamixelPacket.BroadcastId && _options.StatusReturnLevel >= 2;
    private bool ReadReplies(byte id) => id != DynamixelPacket.BroadcastId && _options.StatusReturnLevel >= 1;

    private DynamixelCommunicationException NoReply(byte id, DynamixelInstruction instruction, int? address, int attempts, int corrupt, int expected)
    {
        string where = address is int a ? $" at address {a}" : "";
        string what = corrupt > 0
            ? $"{corrupt} corrupted or malformed replies (CRC or length) and no valid status packet"
            : "no status packet";
        var timeout = TimeoutFor(DynamixelPacket.InstructionLength(0), DynamixelPacket.StatusLength(expected));
        return new DynamixelCommunicationException(
            $"Dynamixel servo {id}: {instruction}{where}: {what} after {attempts} attempts " +
            $"(timeout ≥ {timeout.TotalMilliseconds:F1} ms each at {_link.BaudRate} baud on {_link.Name}); " +
            "check the servo's power and cable, its ID and baud rate (naf hw scan), and the bus latency.",
            id, instruction, address, attempts, corrupt);
    }

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowArgument(string name, string message) => throw new ArgumentException(message, name);

    private static void CheckId(byte id, bool broadcastAllowed, string operation)
    {
        if (id <= DynamixelPacket.MaxId || (broadcastAllowed && id == DynamixelPacket.BroadcastId)) return;
        ThrowArgument(nameof(id), $"Dynamixel {operation}: ID {id} is not a servo ID (0..{DynamixelPacket.MaxId})" +
            (broadcastAllowed ? $" or broadcast ({DynamixelPacket.BroadcastId})." : "."));
    }

    private static void PutAddressLength(Span<byte> at, int address, int length)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(at, (ushort)address);
        BinaryPrimitives.WriteUInt16LittleEndian(at[2..], (ushort)length);
    }
}

using System.Buffers.Binary;
using System.Diagnostics;

namespace NafNative.Hardware.Dynamixel;

public sealed partial class DynamixelBus
{
    /// <summary>PING one servo: its model number and firmware version.</summary>
    public PingResult Ping(byte id)
    {
        CheckId(id, broadcastAllowed: false, "PING");
        Transact(id, DynamixelInstruction.Ping, 0, null, expected: 3, replies: true); // PING always answers
        return new PingResult(id, BinaryPrimitives.ReadUInt16LittleEndian(_rxParameters), _rxParameters[2]);
    }

    /// <summary>Broadcast PING: every servo on the bus answers, in ID order. Waits the whole window (the time 253
    /// replies take plus the latency), so it finds every ID in one call.</summary>
    public IReadOnlyList<PingResult> Scan()
    {
        Transactions++;
        var found = new List<PingResult>();
        int sent = Send(DynamixelPacket.BroadcastId, DynamixelInstruction.Ping, 0);
        long deadline = Deadline(TimeoutFor(sent, (DynamixelPacket.MaxId + 1) * DynamixelPacket.StatusLength(3)) + _options.Latency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            var result = DynamixelDecoder.Decode(_rx.AsSpan(_rxStart, _rxEnd - _rxStart), _rxParameters, out DynamixelFrame frame, out int consumed);
            _rxStart += consumed;
            if (result == DecodeResult.Corrupt) { CorruptPackets++; continue; }
            if (result == DecodeResult.Packet)
            {
                if (frame.IsStatus && frame.ParameterLength == 3 && frame.Id <= DynamixelPacket.MaxId && !found.Exists(p => p.Id == frame.Id))
                    found.Add(new PingResult(frame.Id, BinaryPrimitives.ReadUInt16LittleEndian(_rxParameters), _rxParameters[2]));
                continue;
            }
            _rx.AsSpan(_rxStart, _rxEnd - _rxStart).CopyTo(_rx);
            _rxEnd -= _rxStart;
            _rxStart = 0;
            long left = deadline - Stopwatch.GetTimestamp();
            if (left <= 0) break;
            _rxEnd += _link.Read(_rx.AsSpan(_rxEnd), Stopwatch.GetElapsedTime(0, left));
        }
        found.Sort((a, b) => a.Id.CompareTo(b.Id));
        return found;
    }

    /// <summary>READ <paramref name="data"/>.Length bytes at <paramref name="address"/> of one servo.</summary>
    public void Read(byte id, int address, Span<byte> data)
    {
        CheckId(id, broadcastAllowed: false, "READ");
        CheckRange(address, data.Length, "READ");
        if (!ReadReplies(id)) ThrowArgument(nameof(id), "Dynamixel READ: the servos' Status Return Level is 0, so READ gets no reply.");
        PutAddressLength(_txParameters, address, data.Length);
        Transact(id, DynamixelInstruction.Read, 4, address, data.Length, replies: true);
        _rxParameters.AsSpan(0, data.Length).CopyTo(data);
    }

    public byte Read1(byte id, int address)
    {
        Span<byte> b = stackalloc byte[1];
        Read(id, address, b);
        return b[0];
    }

    public ushort Read2(byte id, int address)
    {
        Span<byte> b = stackalloc byte[2];
        Read(id, address, b);
        return BinaryPrimitives.ReadUInt16LittleEndian(b);
    }

    public int Read4(byte id, int address)
    {
        Span<byte> b = stackalloc byte[4];
        Read(id, address, b);
        return BinaryPrimitives.ReadInt32LittleEndian(b);
    }

    /// <summary>WRITE <paramref name="data"/> at <paramref name="address"/> (broadcast ID: every servo, no reply).</summary>
    public void Write(byte id, int address, ReadOnlySpan<byte> data) => WriteLike(DynamixelInstruction.Write, id, address, data);

    public void Write1(byte id, int address, byte value) => Write(id, address, [value]);

    public void Write2(byte id, int address, ushort value)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, value);
        Write(id, address, b);
    }

    public void Write4(byte id, int address, int value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(b, value);
        Write(id, address, b);
    }

    /// <summary>REG WRITE: stage a write that the servo performs on the next ACTION.</summary>
    public void RegWrite(byte id, int address, ReadOnlySpan<byte> data) => WriteLike(DynamixelInstruction.RegWrite, id, address, data);

    /// <summary>ACTION: perform the staged REG WRITEs (broadcast: all servos at once).</summary>
    public void Action(byte id = DynamixelPacket.BroadcastId)
    {
        CheckId(id, broadcastAllowed: true, "ACTION");
        Transact(id, DynamixelInstruction.Action, 0, null, 0, WriteReplies(id));
    }

    /// <summary>REBOOT: restarts the servo (clears a latched hardware error; torque comes back off).</summary>
    public void Reboot(byte id)
    {
        CheckId(id, broadcastAllowed: true, "REBOOT");
        Transact(id, DynamixelInstruction.Reboot, 0, null, 0, WriteReplies(id));
    }

    /// <summary>FACTORY RESET with option 0xFF (everything), 0x01 (all but ID) or 0x02 (all but ID and baud rate).</summary>
    public void FactoryReset(byte id, byte option)
    {
        CheckId(id, broadcastAllowed: false, "FACTORY RESET");
        if (option is not (0xFF or 0x01 or 0x02)) ThrowArgument(nameof(option), $"Dynamixel FACTORY RESET: option 0x{option:X2} is not 0xFF, 0x01 or 0x02.");
        _txParameters[0] = option;
        Transact(id, DynamixelInstruction.FactoryReset, 1, null, 0, WriteReplies(id));
    }

    private void WriteLike(DynamixelInstruction instruction, byte id, int address, ReadOnlySpan<byte> data)
    {
        CheckId(id, broadcastAllowed: true, instruction.ToString());
        CheckRange(address, data.Length, instruction.ToString());
        BinaryPrimitives.WriteUInt16LittleEndian(_txParameters, (ushort)address);
        data.CopyTo(_txParameters.AsSpan(2));
        Transact(id, instruction, 2 + data.Length, address, 0, WriteReplies(id));
    }

    /// <summary>SYNC READ: the same <paramref name="length"/> bytes at <paramref name="address"/> from each servo in
    /// <paramref name="ids"/>, into <paramref name="data"/> (ids.Length × length, in ID-list order). Each servo's error
    /// byte goes to <paramref name="errors"/> (alert bit = latched hardware error). Allocation-free.</summary>
    public void SyncRead(int address, int length, ReadOnlySpan<byte> ids, Span<byte> data, Span<byte> errors)
    {
        PrepareSyncRead("SYNC READ", address, length, ids, data, errors);
        ReadEach(DynamixelInstruction.SyncRead, 4 + ids.Length, ids, address, length, default, data, errors);
    }

    /// <summary>FAST SYNC READ (X430/540 firmware ≥ 45, X330 ≥ 46): like <see cref="SyncRead"/>, but every servo's
    /// block comes back in one status packet (ID 0xFE, unstuffed), so the bus turns around once instead of once per
    /// servo. Blocks are ERR, ID, DATA, CRC (the running CRC of the packet so far; the last one is the packet's own),
    /// the first ERR in the usual place. Allocation-free.</summary>
    public void FastSyncRead(int address, int length, ReadOnlySpan<byte> ids, Span<byte> data, Span<byte> errors)
    {
        int expected = ids.Length * (length + 4) - 3; // parameters after the first ERR, without the packet CRC
        if (DynamixelPacket.StatusLength(expected) > DynamixelPacket.MaxPacketLength)
            ThrowArgument(nameof(ids), "Dynamixel FAST SYNC READ: the reply would exceed 1024 bytes; read fewer servos at once.");
        PrepareSyncRead("FAST SYNC READ", address, length, ids, data, errors);
        Transactions++;
        int corrupt = 0, attempts = 1 + _options.Retries;
        for (int attempt = 0; attempt < attempts; attempt++)
        {
            if (attempt > 0)
            {
                RetriedAttempts++;
                Drain();
            }
            int sent = Send(DynamixelPacket.BroadcastId, DynamixelInstruction.FastSyncRead, 4 + ids.Length);
            long deadline = Deadline(TimeoutFor(sent, DynamixelPacket.StatusLength(expected)));
            if (Receive(DynamixelPacket.BroadcastId, expected, deadline, out byte first, ref corrupt, unstuff: false) != Outcome.Ok) continue;
            if (!SplitFastReply(ids, length, first, data, errors, out int failed, out byte failedError))
            {
                corrupt++;
                CorruptPackets++;
                continue;
            }
            if (failed >= 0) throw new DynamixelStatusException(ids[failed], DynamixelInstruction.FastSyncRead, address, failedError);
            return;
        }
        throw NoReply(ids[0], DynamixelInstruction.FastSyncRead, address, attempts, corrupt, expected);
    }

    // Checks a (fast) sync read's arguments and writes its parameters: address, length, then the ID list.
    private void PrepareSyncRead(string operation, int address, int length, ReadOnlySpan<byte> ids, Span<byte> data, Span<byte> errors)
    {
        CheckList(ids, operation);
        CheckRange(address, length, operation);
        if (data.Length != ids.Length * length)
            ThrowArgument(nameof(data), $"Dynamixel {operation}: data holds {data.Length} bytes; {ids.Length} servos × {length} bytes need {ids.Length * length}.");
        if (errors.Length != ids.Length)
            ThrowArgument(nameof(errors), $"Dynamixel {operation}: errors holds {errors.Length} bytes; pass one per servo ({ids.Length}).");
        PutAddressLength(_txParameters, address, length);
        ids.CopyTo(_txParameters.AsSpan(4));
    }

    // Splits a fast reply's parameters (block 0 without its ERR, which was the status error byte) into data and errors;
    // false if the IDs are not the ones asked for, in order.
    private bool SplitFastReply(ReadOnlySpan<byte> ids, int length, byte firstError, Span<byte> data, Span<byte> errors, out int failed, out byte failedError)
    {
        failed = -1;
        failedError = 0;
        ReadOnlySpan<byte> p = _rxParameters;
        int at = 0;
        for (int i = 0; i < ids.Length; i++)
        {
            byte error = i == 0 ? firstError : p[at++];
            if (p[at++] != ids[i]) return false;
            p.Slice(at, length).CopyTo(data.Slice(i * length, length));
            at += length + (i < ids.Length - 1 ? 2 : 0); // the last block's CRC is the packet's, already checked
            errors[i] = error;
            if ((error & 0x7F) != 0 && failed < 0) (failed, failedError) = (i, error);
        }
        LastAlert = false;
        foreach (byte e in errors) LastAlert |= (e & DynamixelErrorText.AlertBit) != 0;
        return true;
    }

    /// <summary>SYNC WRITE: <paramref name="length"/> bytes at <paramref name="address"/> to each servo in
    /// <paramref name="ids"/>, from <paramref name="data"/> (ids.Length × length). No reply. Allocation-free.</summary>
    public void SyncWrite(int address, int length, ReadOnlySpan<byte> ids, ReadOnlySpan<byte> data)
    {
        CheckList(ids, "SYNC WRITE");
        CheckRange(address, length, "SYNC WRITE");
        if (data.Length != ids.Length * length)
            ThrowArgument(nameof(data), $"Dynamixel SYNC WRITE: data holds {data.Length} bytes; {ids.Length} servos × {length} bytes need {ids.Length * length}.");
        PutAddressLength(_txParameters, address, length);
        int at = 4;
        for (int i = 0; i < ids.Length; i++)
        {
            _txParameters[at++] = ids[i];
            data.Slice(i * length, length).CopyTo(_txParameters.AsSpan(at));
            at += length;
        }
        Transact(DynamixelPacket.BroadcastId, DynamixelInstruction.SyncWrite, at, address, 0, replies: false);
    }

    /// <summary>BULK READ: a different block from each servo; data are concatenated in entry order.</summary>
    public void BulkRead(ReadOnlySpan<BulkReadEntry> entries, Span<byte> data, Span<byte> errors)
    {
        if (entries.Length == 0) ThrowArgument(nameof(entries), "Dynamixel BULK READ: no servos given.");
        if (errors.Length != entries.Length)
            ThrowArgument(nameof(errors), $"Dynamixel BULK READ: errors holds {errors.Length} bytes; pass one per entry ({entries.Length}).");
        int total = 0, at = 0;
        foreach (var e in entries)
        {
            CheckId(e.Id, broadcastAllowed: false, "BULK READ");
            CheckRange(e.Address, e.Length, "BULK READ");
            total += e.Length;
            _txParameters[at] = e.Id;
            PutAddressLength(_txParameters.AsSpan(at + 1), e.Address, e.Length);
            at += 5;
        }
        if (data.Length != total) ThrowArgument(nameof(data), $"Dynamixel BULK READ: data holds {data.Length} bytes; the entries need {total}.");
        ReadEach(DynamixelInstruction.BulkRead, at, default, 0, 0, entries, data, errors);
    }

    /// <summary>BULK WRITE: a different block to each servo; <paramref name="data"/> holds the blocks in entry order.</summary>
    public void BulkWrite(ReadOnlySpan<BulkWriteEntry> entries, ReadOnlySpan<byte> data)
    {
        if (entries.Length == 0) ThrowArgument(nameof(entries), "Dynamixel BULK WRITE: no servos given.");
        int at = 0, offset = 0;
        foreach (var e in entries)
        {
            CheckId(e.Id, broadcastAllowed: false, "BULK WRITE");
            CheckRange(e.Address, e.Length, "BULK WRITE");
            if (offset + e.Length > data.Length) ThrowArgument(nameof(data), $"Dynamixel BULK WRITE: data ends before servo {e.Id}'s {e.Length} bytes.");
            if (at + 5 + e.Length > _txParameters.Length) ThrowArgument(nameof(entries), "Dynamixel BULK WRITE: the packet would exceed 1024 bytes; split it.");
            _txParameters[at] = e.Id;
            PutAddressLength(_txParameters.AsSpan(at + 1), e.Address, e.Length);
            data.Slice(offset, e.Length).CopyTo(_txParameters.AsSpan(at + 5));
            at += 5 + e.Length;
            offset += e.Length;
        }
        if (offset != data.Length) ThrowArgument(nameof(data), $"Dynamixel BULK WRITE: data holds {data.Length} bytes; the entries use {offset}.");
        Transact(DynamixelPacket.BroadcastId, DynamixelInstruction.BulkWrite, at, null, 0, replies: false);
    }

    // One request, then one status packet per servo in list order (sync: ids/length; bulk: entries). A timeout or
    // corruption anywhere repeats the whole request.
    private void ReadEach(DynamixelInstruction instruction, int parameterCount, ReadOnlySpan<byte> ids, int address, int length,
        ReadOnlySpan<BulkReadEntry> entries, Span<byte> data, Span<byte> errors)
    {
        Transactions++;
        int count = entries.IsEmpty ? ids.Length : entries.Length;
        int corrupt = 0, attempts = 1 + _options.Retries;
        byte failedId = entries.IsEmpty ? ids[0] : entries[0].Id;
        for (int attempt = 0; attempt < attempts; attempt++)
        {
            if (attempt > 0)
            {
                RetriedAttempts++;
                Drain();
            }
            int sent = Send(DynamixelPacket.BroadcastId, instruction, parameterCount);
            long deadline = Deadline(TimeoutFor(sent, count * DynamixelPacket.StatusLength(entries.IsEmpty ? length : MaxLength(entries))));
            bool complete = true;
            int offset = 0;
            for (int i = 0; i < count; i++)
            {
                byte id = entries.IsEmpty ? ids[i] : entries[i].Id;
                int n = entries.IsEmpty ? length : entries[i].Length;
                // Each servo's reply gets its own wire time on top of the whole request's deadline.
                deadline = Math.Max(deadline, Deadline(TimeoutFor(0, DynamixelPacket.StatusLength(n))));
                if (Receive(id, n, deadline, out byte error, ref corrupt) != Outcome.Ok)
                {
                    failedId = id;
                    complete = false;
                    break;
                }
                if ((error & 0x7F) != 0) throw new DynamixelStatusException(id, instruction, entries.IsEmpty ? address : entries[i].Address, error);
                errors[i] = error;
                _rxParameters.AsSpan(0, n).CopyTo(data.Slice(offset, n));
                offset += n;
            }
            if (complete) return;
        }
        throw NoReply(failedId, instruction, entries.IsEmpty ? address : null, attempts, corrupt, length);
    }

    private static int MaxLength(ReadOnlySpan<BulkReadEntry> entries)
    {
        int max = 0;
        foreach (var e in entries) max = Math.Max(max, e.Length);
        return max;
    }

    private static void CheckRange(int address, int length, string operation)
    {
        if ((uint)address > ushort.MaxValue) ThrowArgument(nameof(address), $"Dynamixel {operation}: address {address} is outside 0..65535.");
        if (length <= 0 || length > DynamixelPacket.MaxPacketLength - 16)
            ThrowArgument(nameof(length), $"Dynamixel {operation}: length {length} must be 1..{DynamixelPacket.MaxPacketLength - 16}.");
    }

    private static void CheckList(ReadOnlySpan<byte> ids, string operation)
    {
        if (ids.IsEmpty) ThrowArgument(nameof(ids), $"Dynamixel {operation}: no servos given.");
        foreach (byte id in ids) CheckId(id, broadcastAllowed: false, operation);
    }
}

using System.Buffers.Binary;
using NafNative.Hardware.EtherCat;

namespace NafNative.Hardware.Simulated.EtherCat;

public sealed partial class ObjectDictionary
{
    // The transfer in progress (CiA 301 §7.2.4.3: one SDO transfer at a time per server). A new initiate request,
    // an abort request or an error ends it.
    private Entry? _uploading, _downloading;
    private (ushort Index, byte Sub) _transfer;
    private byte[] _segmentData = [];
    private int _segmentOffset;
    private byte _toggle;
    private AlState _state;

    /// <summary>Answers one SDO request (the bytes after the CoE header); returns the response SDO bytes, or null for
    /// a request that gets no answer (an abort request from the master).</summary>
    /// <param name="sdo">The request: command byte, then index/subindex/data (initiate) or segment data.</param>
    /// <param name="state">The slave's AL state (PRE-OP-only entries refuse downloads elsewhere).</param>
    /// <param name="mailboxSize">The in mailbox's size: how much one response may carry.</param>
    public byte[]? Handle(ReadOnlySpan<byte> sdo, AlState state, int mailboxSize = 128)
    {
        _state = state;
        if (sdo.Length < 1) return Abort(0, 0, SdoAbortCodes.BadCommand);
        byte command = sdo[0];
        switch (command & 0xE0)
        {
            case 0x80: // abort request: drop the transfer, answer nothing
                EndTransfer();
                return null;
            case 0x60: return UploadSegment(command, mailboxSize);
            case 0x00: return DownloadSegment(command, sdo[1..]);
        }
        EndTransfer();
        if (sdo.Length < 8) return Abort(0, 0, SdoAbortCodes.BadCommand);
        ushort index = BinaryPrimitives.ReadUInt16LittleEndian(sdo[1..]);
        byte sub = sdo[3];
        if (!_entries.TryGetValue((index, sub), out var entry))
            return Abort(index, sub, _indices.Contains(index) ? SdoAbortCodes.NoSubindex : SdoAbortCodes.NoObject);
        if (command == 0x40) return InitiateUpload(entry, index, sub, mailboxSize);
        if (command == 0x50) return Abort(index, sub, SdoAbortCodes.UnsupportedAccess); // complete access is not offered
        if ((command & 0xE0) == 0x20) return InitiateDownload(entry, index, sub, command, sdo);
        return Abort(index, sub, SdoAbortCodes.BadCommand);
    }

    private byte[] InitiateUpload(Entry entry, ushort index, byte sub, int mailboxSize)
    {
        byte[] value = entry.Read();
        if (value.Length <= 4 && !entry.Variable)
        {
            var r = new byte[8];
            r[0] = (byte)(0x43 | ((4 - value.Length) << 2)); // 0x4F, 0x4B, 0x47, 0x43
            Put(r, index, sub);
            value.CopyTo(r, 4);
            return r;
        }
        // Normal response: the complete size, and as much of the value as this mailbox holds; the rest in segments.
        int inFrame = Math.Min(value.Length, mailboxSize - 16);
        var n = new byte[8 + inFrame];
        n[0] = 0x41;
        Put(n, index, sub);
        BinaryPrimitives.WriteUInt32LittleEndian(n.AsSpan(4), (uint)value.Length);
        value.AsSpan(0, inFrame).CopyTo(n.AsSpan(8));
        if (inFrame < value.Length)
        {
            (_uploading, _transfer, _segmentData, _segmentOffset, _toggle) = (entry, (index, sub), value, inFrame, 0);
        }
        return n;
    }

    private byte[] UploadSegment(byte command, int mailboxSize)
    {
        if (_uploading is null) return Abort(_transfer.Index, _transfer.Sub, SdoAbortCodes.BadCommand);
        var (index, sub) = _transfer;
        if ((command & 0x10) != _toggle)
        {
            EndTransfer();
            return Abort(index, sub, SdoAbortCodes.Toggle);
        }
        int n = Math.Min(_segmentData.Length - _segmentOffset, mailboxSize - 9);
        bool last = _segmentOffset + n == _segmentData.Length;
        var r = new byte[1 + Math.Max(n, 7)]; // a segment carries at least 7 bytes, the unused ones counted in bits 1-3
        r[0] = (byte)(_toggle | (n < 7 ? (7 - n) << 1 : 0) | (last ? 1 : 0));
        _segmentData.AsSpan(_segmentOffset, n).CopyTo(r.AsSpan(1));
        _segmentOffset += n;
        _toggle ^= 0x10;
        if (last) EndTransfer();
        return r;
    }

    private byte[] InitiateDownload(Entry entry, ushort index, byte sub, byte command, ReadOnlySpan<byte> sdo)
    {
        if (!entry.Writable) return Abort(index, sub, SdoAbortCodes.ReadOnly);
        if (entry.PreOpOnly && _state != AlState.PreOp) return Abort(index, sub, SdoAbortCodes.DeviceState);
        if ((command & 0x02) != 0) return Commit(entry, index, sub, sdo.Slice(4, (command & 0x01) != 0 ? 4 - ((command >> 2) & 0x03) : 4), Ack(0x60, index, sub));
        long total = (command & 0x01) != 0 ? BinaryPrimitives.ReadUInt32LittleEndian(sdo[4..]) : sdo.Length - 8;
        int inFrame = sdo.Length - 8;
        if (total <= inFrame) return Commit(entry, index, sub, sdo.Slice(8, (int)total), Ack(0x60, index, sub));
        if (total > entry.Size) return Abort(index, sub, entry.Variable ? SdoAbortCodes.LengthTooHigh : SdoAbortCodes.LengthMismatch);
        _segmentData = new byte[total];
        sdo[8..].CopyTo(_segmentData);
        (_downloading, _transfer, _segmentOffset, _toggle) = (entry, (index, sub), inFrame, 0);
        return Ack(0x60, index, sub);
    }

    private byte[] DownloadSegment(byte command, ReadOnlySpan<byte> data)
    {
        if (_downloading is not { } entry) return Abort(_transfer.Index, _transfer.Sub, SdoAbortCodes.BadCommand);
        var (index, sub) = _transfer;
        if ((command & 0x10) != _toggle)
        {
            EndTransfer();
            return Abort(index, sub, SdoAbortCodes.Toggle);
        }
        int n = data.Length == 7 ? 7 - ((command >> 1) & 0x07) : data.Length;
        if (_segmentOffset + n > _segmentData.Length)
        {
            EndTransfer();
            return Abort(index, sub, SdoAbortCodes.LengthTooHigh);
        }
        data[..n].CopyTo(_segmentData.AsSpan(_segmentOffset));
        _segmentOffset += n;
        var ack = new byte[8];
        ack[0] = (byte)(0x20 | _toggle);
        _toggle ^= 0x10;
        if ((command & 0x01) == 0) return ack;
        byte[] value = _segmentData;
        int received = _segmentOffset;
        EndTransfer();
        if (received != value.Length) return Abort(index, sub, SdoAbortCodes.LengthTooLow);
        return Commit(entry, index, sub, value, ack);
    }

    private static byte[] Commit(Entry entry, ushort index, byte sub, ReadOnlySpan<byte> data, byte[] response)
    {
        if (entry.Variable ? data.Length > entry.Size : data.Length != entry.Size)
            return Abort(index, sub, entry.Variable ? SdoAbortCodes.LengthTooHigh : SdoAbortCodes.LengthMismatch);
        if (entry.Check is { } check && check(data.ToArray()) is uint refused and not 0) return Abort(index, sub, refused);
        if (entry.Variable) entry.Stored = data.ToArray();
        else data.CopyTo(entry.Stored);
        entry.Written?.Invoke(entry.Stored);
        return response;
    }

    private void EndTransfer()
    {
        (_uploading, _downloading, _segmentData, _segmentOffset, _toggle) = (null, null, [], 0, 0);
    }

    private static byte[] Ack(byte command, ushort index, byte sub)
    {
        var r = new byte[8];
        r[0] = command;
        Put(r, index, sub);
        return r;
    }

    private static byte[] Abort(ushort index, byte sub, uint code)
    {
        var r = new byte[8];
        r[0] = 0x80; // exactly the standard abort command byte
        Put(r, index, sub);
        BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(4), code);
        return r;
    }

    private static void Put(byte[] r, ushort index, byte sub)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(r.AsSpan(1), index);
        r[3] = sub;
    }
}

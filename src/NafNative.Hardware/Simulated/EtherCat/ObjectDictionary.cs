using System.Buffers.Binary;
using NafNative.Hardware.EtherCat;

namespace NafNative.Hardware.Simulated.EtherCat;

/// <summary>A simulated slave's CoE object dictionary: entries by index and subindex, read-only or writable (some
/// only in PRE-OP, as PDO assignment and mapping are), and SDO request handling with the standard abort codes.</summary>
public sealed class ObjectDictionary
{
    private sealed class Entry(Func<Entry, byte[]> read, int size, bool writable, bool preOpOnly)
    {
        public byte[] Stored = [];
        public int Size => size;
        public bool Writable => writable;
        public bool PreOpOnly => preOpOnly;
        public byte[] Read() => read(this);
    }

    private readonly Dictionary<(ushort, byte), Entry> _entries = [];
    private readonly HashSet<ushort> _indices = [];

    /// <summary>A constant (or stored, if writable) value.</summary>
    public void Add(ushort index, byte subindex, byte[] value, bool writable = false, bool preOpOnly = false)
    {
        _entries[(index, subindex)] = new Entry(e => e.Stored, value.Length, writable, preOpOnly) { Stored = (byte[])value.Clone() };
        _indices.Add(index);
    }

    /// <summary>A read-only value computed when read (e.g. a process-data object).</summary>
    public void AddLive(ushort index, byte subindex, int size, Func<byte[]> read)
    {
        _entries[(index, subindex)] = new Entry(_ => read(), size, false, false);
        _indices.Add(index);
    }

    public void AddU32(ushort index, byte subindex, uint value, bool writable = false, bool preOpOnly = false)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        Add(index, subindex, b, writable, preOpOnly);
    }

    public void AddU8(ushort index, byte subindex, byte value, bool writable = false, bool preOpOnly = false) => Add(index, subindex, [value], writable, preOpOnly);

    /// <summary>Answers one SDO request (the 8+ bytes after the CoE header); returns the response SDO bytes.</summary>
    public byte[] Handle(ReadOnlySpan<byte> sdo, AlState state)
    {
        if (sdo.Length < 8) return Abort(0, 0, SdoAbortCodes.BadCommand);
        byte command = sdo[0];
        ushort index = BinaryPrimitives.ReadUInt16LittleEndian(sdo[1..]);
        byte sub = sdo[3];
        if (!_entries.TryGetValue((index, sub), out var entry))
            return Abort(index, sub, _indices.Contains(index) ? SdoAbortCodes.NoSubindex : SdoAbortCodes.NoObject);
        if (command == 0x40) // upload
        {
            byte[] value = entry.Read();
            if (value.Length <= 4)
            {
                var r = new byte[8];
                r[0] = (byte)(0x43 | ((4 - value.Length) << 2)); // 0x4F, 0x4B, 0x47, 0x43
                Put(r, index, sub);
                value.CopyTo(r, 4);
                return r;
            }
            var n = new byte[8 + value.Length];
            n[0] = 0x41;
            Put(n, index, sub);
            BinaryPrimitives.WriteUInt32LittleEndian(n.AsSpan(4), (uint)value.Length);
            value.CopyTo(n, 8);
            return n;
        }
        if ((command & 0xE0) == 0x20) // download
        {
            if (!entry.Writable) return Abort(index, sub, SdoAbortCodes.ReadOnly);
            if (entry.PreOpOnly && state != AlState.PreOp) return Abort(index, sub, SdoAbortCodes.DeviceState);
            ReadOnlySpan<byte> data;
            if ((command & 0x02) != 0) data = sdo.Slice(4, (command & 0x01) != 0 ? 4 - ((command >> 2) & 0x03) : 4);
            else
            {
                int length = (int)BinaryPrimitives.ReadUInt32LittleEndian(sdo[4..]);
                if (length > sdo.Length - 8) return Abort(index, sub, SdoAbortCodes.LengthMismatch);
                data = sdo.Slice(8, length);
            }
            if (data.Length != entry.Size) return Abort(index, sub, SdoAbortCodes.LengthMismatch);
            data.CopyTo(entry.Stored);
            var r = new byte[8];
            r[0] = 0x60;
            Put(r, index, sub);
            return r;
        }
        return Abort(index, sub, SdoAbortCodes.BadCommand);
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

using System.Buffers.Binary;

namespace NafNative.Hardware.Simulated.EtherCat;

/// <summary>A simulated slave's CoE object dictionary: entries by index and subindex, read-only or writable (some
/// only in PRE-OP, as PDO assignment and mapping are), fixed-size or variable (visible strings, domains), and SDO
/// request handling (expedited, normal, segmented; see ObjectDictionary.Sdo.cs) with the standard abort codes.</summary>
/// <remarks>Used by the segment's thread only (an SDO transfer in progress is state of the dictionary, as it is of a
/// slave's mailbox handler).</remarks>
public sealed partial class ObjectDictionary
{
    private sealed class Entry(Func<Entry, byte[]> read, int size, bool writable, bool preOpOnly, bool variable)
    {
        public byte[] Stored = [];
        /// <summary>The size, or for a variable entry the largest value it takes.</summary>
        public int Size => size;
        public bool Writable => writable;
        public bool PreOpOnly => preOpOnly;
        public bool Variable => variable;
        public Action<byte[]>? Written;
        public Func<byte[], uint>? Check;
        /// <summary>For SDO information (ObjectDictionary.Info.cs): name, CoE data type (0: from the size), and the
        /// PDO-mappable access bits (0x40 RxPDO, 0x80 TxPDO).</summary>
        public string Name = "";
        public ushort DataType;
        public ushort Mappable;
        public byte[] Read() => read(this);
    }

    private readonly Dictionary<(ushort, byte), Entry> _entries = [];
    private readonly HashSet<ushort> _indices = [];

    /// <summary>A constant (or stored, if writable) value.</summary>
    public void Add(ushort index, byte subindex, byte[] value, bool writable = false, bool preOpOnly = false)
    {
        _entries[(index, subindex)] = new Entry(e => e.Stored, value.Length, writable, preOpOnly, variable: false) { Stored = (byte[])value.Clone() };
        _indices.Add(index);
    }

    /// <summary>A value whose length varies (VISIBLE_STRING, OCTET_STRING, DOMAIN): a download may give any length
    /// from 1 to <paramref name="maxLength"/> bytes.</summary>
    public void AddVariable(ushort index, byte subindex, byte[] value, int maxLength, bool writable = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, value.Length);
        _entries[(index, subindex)] = new Entry(e => e.Stored, maxLength, writable, preOpOnly: false, variable: true) { Stored = (byte[])value.Clone() };
        _indices.Add(index);
    }

    /// <summary>A read-only value computed when read (e.g. a process-data object).</summary>
    public void AddLive(ushort index, byte subindex, int size, Func<byte[]> read)
    {
        _entries[(index, subindex)] = new Entry(_ => read(), size, false, false, variable: false);
        _indices.Add(index);
    }

    public void AddU32(ushort index, byte subindex, uint value, bool writable = false, bool preOpOnly = false)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        Add(index, subindex, b, writable, preOpOnly);
    }

    public void AddU8(ushort index, byte subindex, byte value, bool writable = false, bool preOpOnly = false) => Add(index, subindex, [value], writable, preOpOnly);

    /// <summary>Calls <paramref name="written"/> with the new value after every successful download of the entry;
    /// <paramref name="check"/>, when given, sees the value first and refuses it by returning an abort code (0: accept).</summary>
    public void OnWrite(ushort index, byte subindex, Action<byte[]>? written, Func<byte[], uint>? check = null)
    {
        var entry = _entries[(index, subindex)];
        entry.Written = written;
        entry.Check = check;
    }

    /// <summary>The entry's value now (for the slave behind the dictionary, and for tests).</summary>
    public byte[] Get(ushort index, byte subindex) => _entries[(index, subindex)].Read();

    public bool Contains(ushort index, byte subindex) => _entries.ContainsKey((index, subindex));
}

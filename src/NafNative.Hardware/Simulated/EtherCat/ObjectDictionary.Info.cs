using System.Buffers.Binary;
using System.Text;
using NafNative.Hardware.EtherCat;

namespace NafNative.Hardware.Simulated.EtherCat;

public sealed partial class ObjectDictionary
{
    /// <summary>Object codes (ETG.1000.6 Table 63).</summary>
    public const byte VariableObject = 7, ArrayObject = 8, RecordObject = 9;

    /// <summary>SDO information opcodes (ETG.1000.6 §5.6.3.2).</summary>
    private const byte OdListRequest = 1, OdListResponse = 2, ObjectRequest = 3, ObjectResponse = 4, EntryRequest = 5, EntryResponse = 6, InfoError = 7;

    private readonly Dictionary<ushort, (string Name, byte Code, ushort DataType)> _objects = [];

    /// <summary>Names object <paramref name="index"/> for SDO information: its name, object code (<see cref="VariableObject"/>,
    /// <see cref="ArrayObject"/>, <see cref="RecordObject"/>) and data type (for an array, its elements'; 0: its subindex 0's).</summary>
    public void Describe(ushort index, string name, byte objectCode = VariableObject, ushort dataType = 0) => _objects[index] = (name, objectCode, dataType);

    /// <summary>Names entry <paramref name="index"/>:<paramref name="subindex"/> for SDO information, with its data type
    /// (0: UNSIGNED8/16/32 by its size, VISIBLE_STRING for a variable one) and PDO-mappable bits (0x40 RxPDO, 0x80 TxPDO).</summary>
    public void DescribeEntry(ushort index, byte subindex, string name, ushort dataType = 0, ushort mappable = 0)
    {
        var e = _entries[(index, subindex)];
        (e.Name, e.DataType, e.Mappable) = (name, dataType, mappable);
    }

    /// <summary>Answers one SDO information request (the bytes after the CoE header: opcode, reserved, fragments left,
    /// data) with one or more responses in the same form, each small enough for a mailbox of <paramref name="mailboxSize"/>
    /// bytes; the fragments-left field counts down to 0 on the last. An unknown object or opcode gets an SDO
    /// information error (opcode 7) with the abort code.</summary>
    public List<byte[]> HandleInfo(ReadOnlySpan<byte> request, int mailboxSize = 128)
    {
        if (request.Length < 4) return [InfoAbort(SdoAbortCodes.BadCommand)];
        var data = request[4..];
        switch (request[0] & 0x7F)
        {
            case OdListRequest when data.Length >= 2: return OdList(BinaryPrimitives.ReadUInt16LittleEndian(data), mailboxSize - 12);
            case ObjectRequest when data.Length >= 2: return [ObjectDescription(BinaryPrimitives.ReadUInt16LittleEndian(data))];
            case EntryRequest when data.Length >= 4: return [EntryDescription(BinaryPrimitives.ReadUInt16LittleEndian(data), data[2])];
            default: return [InfoAbort(SdoAbortCodes.BadCommand)];
        }
    }

    // List type 0: how many objects each list holds; 1 all, 2 RxPDO-mappable, 3 TxPDO-mappable, 4 backup, 5 settings.
    private List<byte[]> OdList(ushort listType, int room)
    {
        if (listType > 5) return [InfoAbort(SdoAbortCodes.ValueRange)];
        var indices = new List<ushort>(_indices);
        indices.Sort();
        List<ushort> List(int type) => type switch
        {
            1 => indices,
            2 => indices.FindAll(i => HasMappable(i, 0x40)),
            3 => indices.FindAll(i => HasMappable(i, 0x80)),
            _ => [],
        };
        var words = new List<ushort> { listType };
        if (listType == 0) for (int t = 1; t <= 5; t++) words.Add((ushort)List(t).Count);
        else words.AddRange(List(listType));
        // Fragments of at most `room` bytes of data each, the list type in the first only.
        int perFragment = room / 2, fragments = (words.Count + perFragment - 1) / perFragment;
        var responses = new List<byte[]>(fragments);
        for (int f = 0; f < fragments; f++)
        {
            int from = f * perFragment, n = Math.Min(perFragment, words.Count - from);
            int left = fragments - 1 - f;
            var r = InfoHeader(OdListResponse, left, 2 * n);
            for (int k = 0; k < n; k++) BinaryPrimitives.WriteUInt16LittleEndian(r.AsSpan(4 + 2 * k), words[from + k]);
            responses.Add(r);
        }
        return responses;
    }

    private bool HasMappable(ushort index, ushort bit)
    {
        foreach (var ((i, _), e) in _entries)
            if (i == index && (e.Mappable & bit) != 0) return true;
        return false;
    }

    private byte[] ObjectDescription(ushort index)
    {
        if (!_indices.Contains(index)) return InfoAbort(SdoAbortCodes.NoObject);
        int maxSub = 0;
        foreach (var (i, sub) in _entries.Keys)
            if (i == index) maxSub = Math.Max(maxSub, sub);
        var (name, code, type) = _objects.TryGetValue(index, out var o) ? o : ($"Object 0x{index:X4}", maxSub == 0 ? VariableObject : RecordObject, (ushort)0);
        if (type == 0 && _entries.TryGetValue((index, (byte)(code == ArrayObject ? 1 : 0)), out var first)) type = TypeOf(first);
        byte[] text = Encoding.ASCII.GetBytes(name);
        var r = InfoHeader(ObjectResponse, 0, 6 + text.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(r.AsSpan(4), index);
        BinaryPrimitives.WriteUInt16LittleEndian(r.AsSpan(6), type);
        r[8] = (byte)maxSub;
        r[9] = code;
        text.CopyTo(r, 10);
        return r;
    }

    private byte[] EntryDescription(ushort index, byte sub)
    {
        if (!_entries.TryGetValue((index, sub), out var e)) return InfoAbort(_indices.Contains(index) ? SdoAbortCodes.NoSubindex : SdoAbortCodes.NoObject);
        string name = e.Name.Length > 0 ? e.Name : sub == 0 && _entries.ContainsKey((index, 1)) ? "Number of entries" : $"SubIndex {sub:D3}";
        byte[] text = Encoding.ASCII.GetBytes(name);
        var r = InfoHeader(EntryResponse, 0, 10 + text.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(r.AsSpan(4), index);
        r[6] = sub;
        r[7] = 0; // value info: no unit, default, minimum or maximum follow
        BinaryPrimitives.WriteUInt16LittleEndian(r.AsSpan(8), TypeOf(e));
        BinaryPrimitives.WriteUInt16LittleEndian(r.AsSpan(10), (ushort)(8 * (e.Variable ? e.Read().Length : e.Size)));
        BinaryPrimitives.WriteUInt16LittleEndian(r.AsSpan(12), Access(e));
        text.CopyTo(r, 14);
        return r;
    }

    // Object access (ETG.1000.6 Table 57): bits 0–2 readable in PRE-OP, SAFE-OP, OP; 3–5 writable in them; 6/7 mappable.
    private static ushort Access(Entry e) => (ushort)(0x07 | (e.Writable ? (e.PreOpOnly ? 0x08 : 0x38) : 0) | e.Mappable);

    private static ushort TypeOf(Entry e) => e.DataType != 0 ? e.DataType
        : e.Variable ? CoeDataType.VisibleString
        : e.Size switch { 1 => CoeDataType.Unsigned8, 2 => CoeDataType.Unsigned16, 4 => CoeDataType.Unsigned32, _ => CoeDataType.OctetString };

    private static byte[] InfoHeader(byte opcode, int fragmentsLeft, int dataLength)
    {
        var r = new byte[4 + dataLength];
        r[0] = (byte)(opcode | (fragmentsLeft > 0 ? 0x80 : 0)); // bit 7: incomplete, more fragments follow
        BinaryPrimitives.WriteUInt16LittleEndian(r.AsSpan(2), (ushort)fragmentsLeft);
        return r;
    }

    private static byte[] InfoAbort(uint code)
    {
        var r = InfoHeader(InfoError, 0, 4);
        BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(4), code);
        return r;
    }
}

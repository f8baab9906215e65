using System.Buffers.Binary;

namespace NafNative.Hardware.EtherCat;

public sealed partial class EcMaster
{
    /// <summary>RxPDO assignment (master → slave, SM2) and TxPDO assignment (slave → master, SM3).</summary>
    public const ushort RxPdoAssign = 0x1C12, TxPdoAssign = 0x1C13;

    /// <summary>Writes a PDO assignment and its PDOs' mappings over CoE, in PRE-OP, the order ETG.1000.6 §5.6.7.4
    /// asks for: assignment count 0, then per PDO mapping count 0, the entries, the count; then the assigned PDOs and
    /// the assignment count.</summary>
    /// <param name="station">The slave (in PRE-OP: the objects are writable only there).</param>
    /// <param name="assign"><see cref="RxPdoAssign"/> (outputs) or <see cref="TxPdoAssign"/> (inputs).</param>
    /// <param name="mapping">The PDOs and their entries.</param>
    /// <exception cref="EtherCatException">The slave refused a step (the abort code says why, e.g. 0x06040041 an
    /// object that cannot be mapped, 0x06040042 too long); the message names the object.</exception>
    public void WritePdoMapping(ushort station, ushort assign, EcPdoMapping mapping)
    {
        if (assign is not (RxPdoAssign or TxPdoAssign)) throw new ArgumentOutOfRangeException(nameof(assign), assign, "use 0x1C12 (RxPDO) or 0x1C13 (TxPDO).");
        ArgumentNullException.ThrowIfNull(mapping);
        Span<byte> u32 = stackalloc byte[4];
        Span<byte> u16 = stackalloc byte[2];
        SdoDownload(station, assign, 0, [0]);
        foreach (var pdo in mapping.Pdos)
        {
            SdoDownload(station, pdo.Index, 0, [0]);
            for (int e = 0; e < pdo.Entries.Count; e++)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(u32, pdo.Entries[e].Packed);
                SdoDownload(station, pdo.Index, (byte)(e + 1), u32);
            }
            SdoDownload(station, pdo.Index, 0, [(byte)pdo.Entries.Count]);
        }
        for (int p = 0; p < mapping.Pdos.Count; p++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(u16, mapping.Pdos[p].Index);
            SdoDownload(station, assign, (byte)(p + 1), u16);
        }
        SdoDownload(station, assign, 0, [(byte)mapping.Pdos.Count]);
    }

    /// <summary>Reads a PDO assignment and the mapping of every PDO it assigns, over CoE (PRE-OP or above): what the
    /// slave will actually put in (or take from) its SyncManager.</summary>
    public EcPdoMapping ReadPdoMapping(ushort station, ushort assign)
    {
        if (assign is not (RxPdoAssign or TxPdoAssign)) throw new ArgumentOutOfRangeException(nameof(assign), assign, "use 0x1C12 (RxPDO) or 0x1C13 (TxPDO).");
        int count = SdoUpload(station, assign, 0)[0];
        var pdos = new List<EcPdo>(count);
        for (int p = 1; p <= count; p++)
        {
            ushort pdo = BinaryPrimitives.ReadUInt16LittleEndian(SdoUpload(station, assign, (byte)p));
            int entries = SdoUpload(station, pdo, 0)[0];
            var list = new EcPdoEntry[entries];
            for (int e = 1; e <= entries; e++) list[e - 1] = EcPdoEntry.FromPacked(BinaryPrimitives.ReadUInt32LittleEndian(SdoUpload(station, pdo, (byte)e)));
            pdos.Add(new EcPdo(pdo, list));
        }
        return new EcPdoMapping(pdos);
    }
}

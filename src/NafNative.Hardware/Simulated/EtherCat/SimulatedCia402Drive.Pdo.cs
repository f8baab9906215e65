using System.Buffers.Binary;
using NafNative.Hardware.EtherCat;

namespace NafNative.Hardware.Simulated.EtherCat;

public sealed partial class SimulatedCia402Drive
{
    // What the drive lets a master map (ETG.1000.6 §5.6.7.4.7): the CSV objects out, the actual values and the error
    // code in. Anything else is refused with 0x06040041.
    private static readonly EcPdoEntry[] RxMappable = [new(Cia402.ControlwordIndex, 0, 16), new(Cia402.TargetPosition, 0, 32), new(Cia402.TargetVelocity, 0, 32), new(Cia402.ModesOfOperation, 0, 8)];
    private static readonly EcPdoEntry[] TxMappable = [new(Cia402.StatuswordIndex, 0, 16), new(Cia402.PositionActual, 0, 32), new(Cia402.VelocityActual, 0, 32), new(Cia402.ModesDisplay, 0, 8), new(Cia402.ErrorCode, 0, 16)];
    private static readonly ushort[] RxPdos = [0x1600, 0x1601], TxPdos = [0x1A00, 0x1A01];
    private const int MaxEntries = 8, MaxPdoBytes = 32;

    // Byte offsets of the mapped objects in SM2 / SM3 (−1: not mapped), recomputed when the mapping is written.
    private int _controlAt, _targetPositionAt, _targetVelocityAt, _modeAt;
    private int _statusAt, _positionAt, _velocityAt, _modeDisplayAt, _errorCodeAt;

    /// <summary>The receive (SM2) and transmit (SM3) mappings in force: what the drive reads from and writes to its
    /// process data.</summary>
    public EcPdoMapping RxMapping { get; private set; } = EcPdoMapping.StandardOutputs;
    public EcPdoMapping TxMapping { get; private set; } = EcPdoMapping.StandardInputs;

    // 0x1C12/0x1C13 (assignment) and 0x1600/0x1601/0x1A00/0x1A01 (mapping), writable in PRE-OP with the checks a
    // drive makes: entries and assigned PDOs change only while subindex 0 is 0, entries must be mappable, a PDO fits
    // 32 bytes. The standard layout is the default.
    private void AddPdoObjects(ObjectDictionary d)
    {
        AddAssignment(d, EcMaster.RxPdoAssign, RxPdos);
        AddAssignment(d, EcMaster.TxPdoAssign, TxPdos);
        var standardRx = EcPdoMapping.StandardOutputs.Pdos[0].Entries;
        var standardTx = EcPdoMapping.StandardInputs.Pdos[0].Entries;
        AddPdo(d, 0x1600, standardRx, RxMappable);
        AddPdo(d, 0x1601, [], RxMappable);
        AddPdo(d, 0x1A00, standardTx, TxMappable);
        AddPdo(d, 0x1A01, [], TxMappable);
        Remap();
    }

    private void AddAssignment(ObjectDictionary d, ushort assign, ushort[] pdos)
    {
        d.AddU8(assign, 0, 1, writable: true, preOpOnly: true);
        for (int k = 0; k < pdos.Length; k++)
        {
            var value = new byte[2];
            BinaryPrimitives.WriteUInt16LittleEndian(value, k == 0 ? pdos[0] : (ushort)0);
            d.Add(assign, (byte)(k + 1), value, writable: true, preOpOnly: true);
            d.OnWrite(assign, (byte)(k + 1), _ => Remap(), v =>
                d.Get(assign, 0)[0] != 0 ? SdoAbortCodes.DeviceState
                : Array.IndexOf(pdos, BinaryPrimitives.ReadUInt16LittleEndian(v)) < 0 && BinaryPrimitives.ReadUInt16LittleEndian(v) != 0 ? SdoAbortCodes.ValueRange : 0);
        }
        d.OnWrite(assign, 0, _ => Remap(), v =>
        {
            if (v[0] > pdos.Length) return SdoAbortCodes.ValueRange;
            for (int k = 1; k <= v[0]; k++)
                if (Array.IndexOf(pdos, BinaryPrimitives.ReadUInt16LittleEndian(d.Get(assign, (byte)k))) < 0) return SdoAbortCodes.ValueRange;
            return 0;
        });
    }

    private void AddPdo(ObjectDictionary d, ushort pdo, IReadOnlyList<EcPdoEntry> entries, EcPdoEntry[] mappable)
    {
        d.AddU8(pdo, 0, (byte)entries.Count, writable: true, preOpOnly: true);
        for (int e = 0; e < MaxEntries; e++)
        {
            d.AddU32(pdo, (byte)(e + 1), e < entries.Count ? entries[e].Packed : 0, writable: true, preOpOnly: true);
            d.OnWrite(pdo, (byte)(e + 1), _ => Remap(), v =>
                d.Get(pdo, 0)[0] != 0 ? SdoAbortCodes.DeviceState
                : Array.IndexOf(mappable, EcPdoEntry.FromPacked(BinaryPrimitives.ReadUInt32LittleEndian(v))) < 0 ? SdoAbortCodes.CannotMap : 0);
        }
        d.OnWrite(pdo, 0, _ => Remap(), v =>
        {
            if (v[0] > MaxEntries) return SdoAbortCodes.ValueRange;
            int bits = 0;
            for (int e = 1; e <= v[0]; e++)
            {
                var entry = EcPdoEntry.FromPacked(BinaryPrimitives.ReadUInt32LittleEndian(d.Get(pdo, (byte)e)));
                if (Array.IndexOf(mappable, entry) < 0) return SdoAbortCodes.CannotMap;
                bits += entry.Bits;
            }
            return bits > 8 * MaxPdoBytes ? SdoAbortCodes.PdoTooLong : 0;
        });
    }

    // Reads the assignment and mapping objects back into the layout the process data follow, and tells the ESC
    // how long SM2/SM3 must be for SAFE-OP (so a master that sizes them from another layout is refused, 0x001D/E).
    private void Remap()
    {
        var d = _dictionary;
        RxMapping = Read(d, EcMaster.RxPdoAssign);
        TxMapping = Read(d, EcMaster.TxPdoAssign);
        Esc.OutputBytes = RxMapping.Bytes;
        Esc.InputBytes = TxMapping.Bytes;
        (_controlAt, _targetPositionAt, _targetVelocityAt, _modeAt) = (RxMapping.OffsetOf(Cia402.ControlwordIndex), RxMapping.OffsetOf(Cia402.TargetPosition),
            RxMapping.OffsetOf(Cia402.TargetVelocity), RxMapping.OffsetOf(Cia402.ModesOfOperation));
        (_statusAt, _positionAt, _velocityAt, _modeDisplayAt, _errorCodeAt) = (TxMapping.OffsetOf(Cia402.StatuswordIndex), TxMapping.OffsetOf(Cia402.PositionActual),
            TxMapping.OffsetOf(Cia402.VelocityActual), TxMapping.OffsetOf(Cia402.ModesDisplay), TxMapping.OffsetOf(Cia402.ErrorCode));
    }

    private static EcPdoMapping Read(ObjectDictionary d, ushort assign)
    {
        int count = d.Get(assign, 0)[0];
        var pdos = new List<EcPdo>(count);
        for (int k = 1; k <= count; k++)
        {
            ushort pdo = BinaryPrimitives.ReadUInt16LittleEndian(d.Get(assign, (byte)k));
            int n = d.Get(pdo, 0)[0];
            var entries = new EcPdoEntry[n];
            for (int e = 0; e < n; e++) entries[e] = EcPdoEntry.FromPacked(BinaryPrimitives.ReadUInt32LittleEndian(d.Get(pdo, (byte)(e + 1))));
            pdos.Add(new EcPdo(pdo, entries));
        }
        return new EcPdoMapping(pdos);
    }
}

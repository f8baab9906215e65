using NafNative.Hardware.EtherCat;

namespace NafNative.Hardware.Simulated.EtherCat;

public sealed partial class SimulatedCia402Drive
{
    public const uint Vendor = 0x0000_0F1E, Product = 0x0402_0001, Revision = 1;

    // The CiA 402 objects this drive has: name and CoE data type (IEC 61800-7-201 §6), and which way they can be
    // mapped. One table for the SII PDO categories and for SDO information, so the two never disagree.
    private static readonly (ushort Index, string Name, ushort Type, ushort Mappable)[] ProfileObjects =
    [
        (Cia402.ControlwordIndex, "Controlword", CoeDataType.Unsigned16, 0x40),
        (Cia402.TargetPosition, "Target position", CoeDataType.Integer32, 0x40),
        (Cia402.TargetVelocity, "Target velocity", CoeDataType.Integer32, 0x40),
        (Cia402.ModesOfOperation, "Modes of operation", CoeDataType.Integer8, 0x40),
        (Cia402.StatuswordIndex, "Statusword", CoeDataType.Unsigned16, 0x80),
        (Cia402.PositionActual, "Position actual value", CoeDataType.Integer32, 0x80),
        (Cia402.VelocityActual, "Velocity actual value", CoeDataType.Integer32, 0x80),
        (Cia402.ModesDisplay, "Modes of operation display", CoeDataType.Integer8, 0x80),
        (Cia402.ErrorCode, "Error code", CoeDataType.Unsigned16, 0x80),
    ];

    // The SII a CiA 402 drive ships: identity, CoE over the standard mailbox, strings (name, group, order number, PDO
    // and entry names), a general category (CoE details: SDO, SDO information, PDO assignment and configuration; no
    // complete access), FMMUs for outputs, inputs and mailbox status, the SyncManagers, and the default PDOs (those the
    // drive maps at power-on; the alternatives 0x1601/0x1A01 are empty and carry no SyncManager).
    private static EcSii DriveSii(uint serial, string deviceName)
    {
        var strings = new List<string> { deviceName, "Servo drives", "NAF-402-SIM" };
        byte Str(string s)
        {
            int at = strings.IndexOf(s);
            if (at < 0) { strings.Add(s); at = strings.Count - 1; }
            return (byte)(at + 1);
        }
        EcSii.PdoEntry Entry(EcPdoEntry e)
        {
            foreach (var o in ProfileObjects)
                if (o.Index == e.Index) return new(e.Index, e.Subindex, Str(o.Name), (byte)o.Type, e.Bits, 0);
            return new(e.Index, e.Subindex, 0, 0, e.Bits, 0);
        }
        EcSii.Pdo Pdo(ushort index, string name, byte sm, IReadOnlyList<EcPdoEntry> entries) => new(index, sm, 0, Str(name), 0, [.. entries.Select(Entry)]);
        var rx = Pdo(0x1600, "RxPDO 1", 2, EcPdoMapping.StandardOutputs.Pdos[0].Entries);
        var tx = Pdo(0x1A00, "TxPDO 1", 3, EcPdoMapping.StandardInputs.Pdos[0].Entries);
        return new EcSii
        {
            Vendor = Vendor, Product = Product, Revision = Revision, Serial = serial,
            MailboxOut = (0x1000, 128), MailboxIn = (0x1080, 128), MailboxProtocols = 0x0004,
            Strings = strings,
            General = new EcSii.GeneralCategory(GroupIndex: 2, ImageIndex: 0, OrderIndex: 3, NameIndex: 1, CoeDetails: 0x0F, FoeDetails: 0, EoeDetails: 0,
                SoeChannels: 0, Ds402Channels: 1, SysmanClass: 0, Flags: 0, EbusCurrent: 0, PhysicalPorts: 0x0011),
            Fmmus = [1, 2, 3],
            SyncManagers = SimulatedEsc.StandardSyncManagers,
            RxPdos = [rx],
            TxPdos = [tx],
        };
    }

    // Names and types for SDO information (what SOEM's slaveinfo -sdo lists and -map prints beside each entry).
    private static void DescribeObjects(ObjectDictionary d)
    {
        d.Describe(0x1000, "Device type");
        d.DescribeEntry(0x1000, 0, "Device type", CoeDataType.Unsigned32);
        d.Describe(0x1008, "Manufacturer device name");
        d.DescribeEntry(0x1008, 0, "Manufacturer device name", CoeDataType.VisibleString);
        d.Describe(0x1018, "Identity", ObjectDictionary.RecordObject, CoeDataType.Identity);
        string[] identity = ["Number of entries", "Vendor ID", "Product code", "Revision number", "Serial number"];
        for (byte s = 0; s < identity.Length; s++) d.DescribeEntry(0x1018, s, identity[s]);
        d.Describe(0x1C00, "Sync manager type", ObjectDictionary.ArrayObject, CoeDataType.Unsigned8);
        for (byte s = 1; s <= 4; s++) d.DescribeEntry(0x1C00, s, $"Communication type SM{s - 1}");
        foreach (var (assign, name) in new[] { (EcMaster.RxPdoAssign, "RxPDO assign"), (EcMaster.TxPdoAssign, "TxPDO assign") })
            d.Describe(assign, name, ObjectDictionary.ArrayObject, CoeDataType.Unsigned16);
        foreach (var (pdo, name) in new[] { ((ushort)0x1600, "RxPDO 1 mapping"), ((ushort)0x1601, "RxPDO 2 mapping"), ((ushort)0x1A00, "TxPDO 1 mapping"), ((ushort)0x1A01, "TxPDO 2 mapping") })
        {
            d.Describe(pdo, name, ObjectDictionary.RecordObject, CoeDataType.PdoMapping);
            for (byte s = 1; s <= MaxEntries; s++) d.DescribeEntry(pdo, s, $"Mapped object {s}", CoeDataType.Unsigned32);
        }
        foreach (var (index, name, type, mappable) in ProfileObjects)
        {
            d.Describe(index, name);
            d.DescribeEntry(index, 0, name, type, mappable);
        }
    }
}

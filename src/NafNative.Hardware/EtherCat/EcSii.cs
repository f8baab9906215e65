namespace NafNative.Hardware.EtherCat;

/// <summary>What a slave's SII EEPROM says about it: identity, standard mailbox, and the categories a master
/// configures from (strings, general, FMMU, SyncManager, TxPDO, RxPDO), parsed by <see cref="Parse"/>.</summary>
/// <remarks>Layout: ETG.1000.6 §5.4 (Tables 2 and 16–23), ETG.2010. Word addresses: 0x0008 vendor, 0x000A product,
/// 0x000C revision, 0x000E serial, 0x0018–0x001B standard mailbox, 0x001C mailbox protocols, 0x003E size, categories
/// from 0x0040, each a type word, a size word (in words) and its data, ended by type 0xFFFF.</remarks>
public sealed partial record EcSii
{
    /// <summary>First word of the category area.</summary>
    public const int CategoriesStart = 0x0040;

    public uint Vendor { get; init; }
    public uint Product { get; init; }
    public uint Revision { get; init; }
    public uint Serial { get; init; }
    /// <summary>Standard mailbox out (master → slave, SM0): physical start and size in bytes; size 0 without a mailbox.</summary>
    public (ushort Start, ushort Size) MailboxOut { get; init; }
    /// <summary>Standard mailbox in (slave → master, SM1).</summary>
    public (ushort Start, ushort Size) MailboxIn { get; init; }
    /// <summary>Mailbox protocols bit mask (word 0x001C): AoE 0x01, EoE 0x02, CoE 0x04, FoE 0x08, SoE 0x10, VoE 0x20.</summary>
    public ushort MailboxProtocols { get; init; }
    /// <summary>EEPROM size in bytes (word 0x003E: kibibits − 1).</summary>
    public int EepromBytes { get; init; }
    /// <summary>Whether the configuration area's checksum (word 7, CRC-8 over words 0–6) is right; ESCs refuse to
    /// load a configuration area whose checksum is wrong.</summary>
    public bool ConfigChecksumValid { get; init; }

    /// <summary>The strings category (10): string 1 first. An index into it is 1-based, 0 meaning none.</summary>
    public IReadOnlyList<string> Strings { get; init; } = [];
    public GeneralCategory? General { get; init; }
    /// <summary>FMMU category (40): per FMMU its use: 0 or 0xFF unused, 1 outputs, 2 inputs, 3 SyncManager status.</summary>
    public IReadOnlyList<byte> Fmmus { get; init; } = [];
    public IReadOnlyList<SyncManager> SyncManagers { get; init; } = [];
    /// <summary>TxPDO category (50): the slave's inputs (slave → master) as the EEPROM describes them.</summary>
    public IReadOnlyList<Pdo> TxPdos { get; init; } = [];
    /// <summary>RxPDO category (51): the slave's outputs (master → slave).</summary>
    public IReadOnlyList<Pdo> RxPdos { get; init; } = [];

    /// <summary>String <paramref name="index"/> (1-based), or "" for 0 or one the strings category does not hold.</summary>
    public string String(int index) => index >= 1 && index <= Strings.Count ? Strings[index - 1] : "";

    /// <summary>The device name: the general category's name string, else string 1 (what masters without a general
    /// category use), else "".</summary>
    public string Name => General is { NameIndex: > 0 } g && String(g.NameIndex) is { Length: > 0 } n ? n : String(1);

    /// <summary>General category (30), ETG.2010 Table 6: string indices, protocol details, flags, E-bus current, ports.</summary>
    /// <remarks><c>CoeDetails</c>: bit 0 SDO, 1 SDO information, 2 PDO assign, 3 PDO configuration, 4 upload at
    /// startup, 5 SDO complete access. <c>Flags</c>: bit 0 enable SAFE-OP, 1 not LRW (the slave takes LRD/LWR only),
    /// 2 mailbox data link layer, 3 identification by AL status, 4 identification by PHY memory. <c>EbusCurrent</c>:
    /// mA drawn from the E-bus (negative: fed into it). <c>PhysicalPorts</c>: 4 bits per port 0–3: 0 not used, 1 MII,
    /// 3 E-bus, 4 fast hot connect.</remarks>
    public sealed record GeneralCategory(byte GroupIndex, byte ImageIndex, byte OrderIndex, byte NameIndex, byte CoeDetails, byte FoeDetails,
        byte EoeDetails, byte SoeChannels, byte Ds402Channels, byte SysmanClass, byte Flags, short EbusCurrent, ushort PhysicalPorts);

    /// <summary>One entry of the SyncManager category (41): physical start, length (0: set by the master from the PDO
    /// mapping), control byte, enable, and its use: 1 mailbox out, 2 mailbox in, 3 outputs, 4 inputs (0 unused).</summary>
    public sealed record SyncManager(ushort Start, ushort Length, byte Control, byte Enable, byte Type);

    /// <summary>One PDO of a TxPDO/RxPDO category: its index, the SyncManager it goes to by default (0xFF: none,
    /// an alternative to the default), DC sync unit, name string index, flags and entries.</summary>
    public sealed record Pdo(ushort Index, byte SyncManager, byte Synchronization, byte NameIndex, ushort Flags, IReadOnlyList<PdoEntry> Entries)
    {
        public int Bits
        {
            get
            {
                int bits = 0;
                foreach (var e in Entries) bits += e.Bits;
                return bits;
            }
        }
    }

    /// <summary>One mapped object: index, subindex, name string index, CoE data type (ETG.1000.6 Table 64, e.g.
    /// 0x0006 UNSIGNED16, 0x0004 INTEGER32), bit length, flags.</summary>
    public sealed record PdoEntry(ushort Index, byte Subindex, byte NameIndex, byte DataType, byte Bits, ushort Flags);
}

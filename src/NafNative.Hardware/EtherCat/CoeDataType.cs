namespace NafNative.Hardware.EtherCat;

/// <summary>CoE data type indices (ETG.1000.6 Table 64; CiA 301 §7.4.7), as SII PDO entries and SDO information
/// carry them, and their names.</summary>
public static class CoeDataType
{
    public const ushort Boolean = 0x0001, Integer8 = 0x0002, Integer16 = 0x0003, Integer32 = 0x0004, Unsigned8 = 0x0005,
        Unsigned16 = 0x0006, Unsigned32 = 0x0007, Real32 = 0x0008, VisibleString = 0x0009, OctetString = 0x000A,
        Domain = 0x000F, Integer64 = 0x0015, Unsigned64 = 0x001B,
        PdoCommunicationParameter = 0x0020, PdoMapping = 0x0021, Identity = 0x0023;

    /// <summary>The type's name, e.g. <c>UNSIGNED16</c>, or <c>type 0xNNNN</c> for one this table lacks.</summary>
    public static string Name(ushort type) => type switch
    {
        Boolean => "BOOLEAN",
        Integer8 => "INTEGER8",
        Integer16 => "INTEGER16",
        Integer32 => "INTEGER32",
        Unsigned8 => "UNSIGNED8",
        Unsigned16 => "UNSIGNED16",
        Unsigned32 => "UNSIGNED32",
        Real32 => "REAL32",
        VisibleString => "VISIBLE_STRING",
        OctetString => "OCTET_STRING",
        Domain => "DOMAIN",
        Integer64 => "INTEGER64",
        Unsigned64 => "UNSIGNED64",
        PdoCommunicationParameter => "PDO_COMMUNICATION_PARAMETER",
        PdoMapping => "PDO_MAPPING",
        Identity => "IDENTITY",
        0 => "none",
        _ => $"type 0x{type:X4}",
    };
}

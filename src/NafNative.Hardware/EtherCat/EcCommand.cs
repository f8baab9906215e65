namespace NafNative.Hardware.EtherCat;

/// <summary>EtherCAT datagram commands (ETG.1000.4; SOEM <c>ec_type.h</c>).</summary>
public enum EcCommand : byte
{
    Nop = 0,
    /// <summary>Auto-increment physical read: the slave at position −ADP (ADP counts up as the frame passes).</summary>
    Aprd = 1,
    Apwr = 2,
    Aprw = 3,
    /// <summary>Configured-address physical read: the slave whose station address (0x0010) is ADP.</summary>
    Fprd = 4,
    Fpwr = 5,
    Fprw = 6,
    /// <summary>Broadcast read: every slave ORs its data in and counts.</summary>
    Brd = 7,
    Bwr = 8,
    Brw = 9,
    /// <summary>Logical read through the slaves' FMMUs.</summary>
    Lrd = 10,
    Lwr = 11,
    Lrw = 12,
    Armw = 13,
    Frmw = 14,
}

namespace NafNative.Hardware.Dynamixel;

/// <summary>The CRC-16 of Dynamixel Protocol 2.0: polynomial 0x8005, initial value 0, no reflection, no final XOR
/// (the catalogue's CRC-16/UMTS, a.k.a. BUYPASS; check value over "123456789" = 0xFEE8).</summary>
/// <remarks>Computed over a packet from its first header byte through its last (stuffed) parameter, and sent
/// little-endian (ROBOTIS e-manual, Protocol 2.0 "CRC"). The table is generated at start-up from the polynomial rather
/// than pasted, so it cannot hold a typo.</remarks>
public static class DynamixelCrc
{
    private static readonly ushort[] Table = BuildTable();

    /// <summary>The CRC of <paramref name="data"/>, continuing from <paramref name="crc"/> (0 for a new packet).</summary>
    public static ushort Compute(ReadOnlySpan<byte> data, ushort crc = 0)
    {
        ushort[] table = Table;
        foreach (byte b in data)
            crc = (ushort)((crc << 8) ^ table[((crc >> 8) ^ b) & 0xFF]);
        return crc;
    }

    private static ushort[] BuildTable()
    {
        var table = new ushort[256];
        for (int i = 0; i < 256; i++)
        {
            int crc = i << 8;
            for (int bit = 0; bit < 8; bit++)
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x8005 : crc << 1;
            table[i] = (ushort)crc;
        }
        return table;
    }
}

namespace NafNative.Interop.TensorBoard;

/// <summary>CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as TFRecord files checksum their records, and the
/// TFRecord mask applied to it.</summary>
/// <remarks>Hand-written because System.IO.Hashing 11.0.0 has CRC-32 (IEEE) but no CRC-32C. Table-driven, one byte at
/// a time: event files are written once per metrics row, so speed does not matter.</remarks>
public static class Crc32C
{
    private static readonly uint[] Table = BuildTable();

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in data) crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return ~crc;
    }

    /// <summary>TFRecord's masked CRC (tensorflow/core/lib/hash/crc32c.h): a CRC of data that itself holds CRCs is
    /// rotated and offset so that it is not a CRC of the same shape.</summary>
    public static uint Mask(uint crc) => unchecked(((crc >> 15) | (crc << 17)) + 0xA282EAD8u);

    public static uint Masked(ReadOnlySpan<byte> data) => Mask(Compute(data));

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0x82F63B78u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        return table;
    }
}

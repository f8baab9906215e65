using System.Buffers.Binary;

namespace NafNative.Interop.TensorBoard;

/// <summary>TFRecord framing, the container of TensorBoard event files: per record a little-endian u64 length, the
/// masked CRC-32C of those 8 bytes, the data, and the masked CRC-32C of the data.</summary>
public static class TfRecord
{
    public const int Overhead = 16;

    public static void Write(Stream stream, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], Crc32C.Masked(header[..8]));
        Span<byte> footer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(footer, Crc32C.Masked(data));
        stream.Write(header);
        stream.Write(data);
        stream.Write(footer);
    }

    /// <summary><paramref name="data"/> framed as one record, ready for a single write.</summary>
    public static byte[] Frame(ReadOnlySpan<byte> data)
    {
        var framed = new byte[data.Length + Overhead];
        BinaryPrimitives.WriteUInt64LittleEndian(framed, (ulong)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(framed.AsSpan(8), Crc32C.Masked(framed.AsSpan(0, 8)));
        data.CopyTo(framed.AsSpan(12));
        BinaryPrimitives.WriteUInt32LittleEndian(framed.AsSpan(12 + data.Length), Crc32C.Masked(data));
        return framed;
    }

    /// <summary>The records of <paramref name="bytes"/>, every CRC checked.</summary>
    /// <exception cref="InvalidDataException">A CRC mismatch or a truncated record, naming <paramref name="source"/>
    /// and the record's offset.</exception>
    public static List<byte[]> ReadAll(ReadOnlySpan<byte> bytes, string source)
    {
        var records = new List<byte[]>();
        int offset = 0;
        while (offset < bytes.Length)
        {
            string at = $"{source}: record {records.Count} at byte {offset}";
            if (bytes.Length - offset < 12) throw new InvalidDataException($"{at}: truncated header ({bytes.Length - offset} bytes left).");
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(bytes[offset..]);
            if (BinaryPrimitives.ReadUInt32LittleEndian(bytes[(offset + 8)..]) != Crc32C.Masked(bytes.Slice(offset, 8)))
                throw new InvalidDataException($"{at}: length CRC mismatch.");
            int start = offset + 12;
            if (length > (ulong)(bytes.Length - start - 4) || bytes.Length - start < 4)
                throw new InvalidDataException($"{at}: truncated data (length {length}, {bytes.Length - start} bytes left).");
            var data = bytes.Slice(start, (int)length);
            if (BinaryPrimitives.ReadUInt32LittleEndian(bytes[(start + (int)length)..]) != Crc32C.Masked(data))
                throw new InvalidDataException($"{at}: data CRC mismatch.");
            records.Add(data.ToArray());
            offset = start + (int)length + 4;
        }
        return records;
    }
}

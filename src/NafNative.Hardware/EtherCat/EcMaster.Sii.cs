using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace NafNative.Hardware.EtherCat;

public sealed partial class EcMaster
{
    /// <summary>The most SII this master reads from one slave (a 32 Kibit EEPROM); a category walk beyond it means a
    /// damaged or unterminated image.</summary>
    public const int MaxSiiBytes = 4096;

    /// <summary>Reads 32 bits of the slave's SII EEPROM at <paramref name="word"/> (a word address) through the SII
    /// interface (0x0502 control/status, 0x0504 address, 0x0508 data).</summary>
    public uint ReadSii32(ushort station, ushort word)
    {
        Span<byte> command = stackalloc byte[6];
        BinaryPrimitives.WriteUInt16LittleEndian(command, 0x0100); // read
        BinaryPrimitives.WriteUInt32LittleEndian(command[2..], word);
        TransactExpect(EcCommand.Fpwr, station, 0x0502, command, 1, $"slave 0x{station:X4}: SII read of word 0x{word:X4}");
        Span<byte> status = stackalloc byte[2];
        long deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 10;
        while (true)
        {
            TransactExpect(EcCommand.Fprd, station, 0x0502, status, 1, $"slave 0x{station:X4}: SII status");
            ushort s = BinaryPrimitives.ReadUInt16LittleEndian(status);
            if ((s & 0x7800) != 0) throw new EtherCatException($"EtherCAT slave 0x{station:X4}: SII read of word 0x{word:X4} failed (status 0x{s:X4}).", station, EcCommand.Fprd, 0x0502);
            if ((s & 0x8000) == 0) break;
            if (Stopwatch.GetTimestamp() > deadline) throw new EtherCatException($"EtherCAT slave 0x{station:X4}: SII stayed busy for 100 ms reading word 0x{word:X4}.", station, EcCommand.Fprd, 0x0502);
        }
        Span<byte> value = stackalloc byte[4];
        TransactExpect(EcCommand.Fprd, station, 0x0508, value, 1, $"slave 0x{station:X4}: SII data");
        return BinaryPrimitives.ReadUInt32LittleEndian(value);
    }

    /// <summary>Reads the slave's SII: the fixed header (words 0x0000–0x003F), then category by category up to the
    /// end marker, and parses it (<see cref="EcSii.Parse"/>).</summary>
    /// <exception cref="EtherCatException">The slave did not answer, or its categories do not end within its EEPROM
    /// size (at most <see cref="MaxSiiBytes"/>), or do not parse; the message names the slave and the word.</exception>
    public EcSii ReadSii(ushort station)
    {
        var image = new List<byte>(512);
        void ReadTo(int words)
        {
            while (image.Count < 2 * words)
            {
                uint v = ReadSii32(station, (ushort)(image.Count / 2));
                for (int k = 0; k < 4; k++) image.Add((byte)(v >> (8 * k)));
            }
        }
        string where = $"EtherCAT slave 0x{station:X4}";
        ReadTo(EcSii.CategoriesStart);
        // Word 0x003E: kibibits − 1. An erased EEPROM reads 0xFFFF there; then the cap bounds the walk.
        int limit = Math.Min(MaxSiiBytes, (BinaryPrimitives.ReadUInt16LittleEndian(CollectionsMarshal.AsSpan(image)[(2 * 0x3E)..]) + 1) * 128) / 2;
        int at = EcSii.CategoriesStart;
        while (true)
        {
            if (at + 1 > limit)
                throw new EtherCatException($"{where}: SII categories reach word 0x{at:X4} without the end marker 0xFFFF, past the EEPROM's {2 * limit} bytes; the SII is damaged or unprogrammed.", station, EcCommand.Fprd, 0x0508);
            ReadTo(at + 1);
            ushort type = BinaryPrimitives.ReadUInt16LittleEndian(CollectionsMarshal.AsSpan(image)[(2 * at)..]);
            if (type == EcSii.EndOfCategories) break;
            ReadTo(at + 2);
            int size = BinaryPrimitives.ReadUInt16LittleEndian(CollectionsMarshal.AsSpan(image)[(2 * at + 2)..]);
            if (at + 2 + size > limit)
                throw new EtherCatException($"{where}: SII category {type} at word 0x{at:X4} is {size} words long, past the EEPROM's {2 * limit} bytes.", station, EcCommand.Fprd, 0x0508);
            at += 2 + size;
        }
        try
        {
            return EcSii.Parse(CollectionsMarshal.AsSpan(image), where);
        }
        catch (FormatException e)
        {
            throw new EtherCatException(e.Message, station, EcCommand.Fprd, 0x0508);
        }
    }
}

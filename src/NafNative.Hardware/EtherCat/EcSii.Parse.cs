using System.Buffers.Binary;
using System.Text;

namespace NafNative.Hardware.EtherCat;

public sealed partial record EcSii
{
    /// <summary>Category types (ETG.1000.6 Table 17).</summary>
    public const ushort StringsCategory = 10, GeneralCategoryType = 30, FmmuCategory = 40, SyncManagerCategory = 41,
        TxPdoCategory = 50, RxPdoCategory = 51, EndOfCategories = 0xFFFF;

    /// <summary>Parses an SII image: <paramref name="eeprom"/> is the EEPROM from word 0 on (little-endian words), at
    /// least through the end marker of its categories. Unknown categories are skipped.</summary>
    /// <param name="eeprom">The EEPROM bytes from word 0.</param>
    /// <param name="where">Names the slave in error messages, e.g. "slave 0x1001".</param>
    /// <exception cref="FormatException">The image is shorter than its header, a category runs past the image, or a
    /// category's size does not fit its content; the message names the category and its word address.</exception>
    public static EcSii Parse(ReadOnlySpan<byte> eeprom, string where = "SII")
    {
        if (eeprom.Length < 2 * CategoriesStart)
            throw new FormatException($"{where}: SII image of {eeprom.Length} bytes; its fixed header alone is {2 * CategoriesStart} bytes (words 0x0000–0x003F).");
        var strings = new List<string>();
        GeneralCategory? general = null;
        var fmmus = new List<byte>();
        var sms = new List<SyncManager>();
        var tx = new List<Pdo>();
        var rx = new List<Pdo>();
        int at = CategoriesStart, words = eeprom.Length / 2;
        while (true)
        {
            if (at + 1 > words) throw new FormatException($"{where}: SII categories run past the image at word 0x{at:X4} without the end marker 0xFFFF.");
            ushort type = U16(eeprom, at);
            if (type == EndOfCategories) break;
            if (at + 2 > words) throw new FormatException($"{where}: SII category {type} at word 0x{at:X4} has no size word.");
            int size = U16(eeprom, at + 1);
            if (at + 2 + size > words)
                throw new FormatException($"{where}: SII category {type} at word 0x{at:X4} is {size} words long but the image ends at word 0x{words:X4}.");
            var data = eeprom.Slice(2 * (at + 2), 2 * size);
            string category = $"{where}: SII category {type} at word 0x{at:X4}";
            switch (type)
            {
                case StringsCategory: ParseStrings(data, strings, category); break;
                case GeneralCategoryType: general = ParseGeneral(data, category); break;
                case FmmuCategory: foreach (byte f in data) fmmus.Add(f); break;
                case SyncManagerCategory: ParseSyncManagers(data, sms, category); break;
                case TxPdoCategory: ParsePdos(data, tx, category); break;
                case RxPdoCategory: ParsePdos(data, rx, category); break;
            }
            at += 2 + size;
        }
        return new EcSii
        {
            Vendor = U32(eeprom, 0x0008), Product = U32(eeprom, 0x000A), Revision = U32(eeprom, 0x000C), Serial = U32(eeprom, 0x000E),
            MailboxOut = (U16(eeprom, 0x0018), U16(eeprom, 0x0019)), MailboxIn = (U16(eeprom, 0x001A), U16(eeprom, 0x001B)),
            MailboxProtocols = U16(eeprom, 0x001C), EepromBytes = (U16(eeprom, 0x003E) + 1) * 128,
            ConfigChecksumValid = ConfigChecksum(eeprom[..14]) == eeprom[14],
            Strings = strings, General = general, Fmmus = fmmus, SyncManagers = sms, TxPdos = tx, RxPdos = rx,
        };
    }

    private static uint U32(ReadOnlySpan<byte> eeprom, int word) => BinaryPrimitives.ReadUInt32LittleEndian(eeprom[(2 * word)..]);
    private static ushort U16(ReadOnlySpan<byte> eeprom, int word) => BinaryPrimitives.ReadUInt16LittleEndian(eeprom[(2 * word)..]);

    /// <summary>The configuration area's checksum: CRC-8, polynomial x⁸+x²+x+1 (0x07), initial value 0xFF, over
    /// words 0–6 (ESC datasheet, "SII EEPROM": the ESC checks it before it loads the area).</summary>
    public static byte ConfigChecksum(ReadOnlySpan<byte> first14)
    {
        byte crc = 0xFF;
        foreach (byte b in first14)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 0x80) != 0 ? (byte)(crc << 1 ^ 0x07) : (byte)(crc << 1);
        }
        return crc;
    }

    // A count byte, then per string a length byte and its characters (ETG.1000.6 Table 18).
    private static void ParseStrings(ReadOnlySpan<byte> data, List<string> strings, string category)
    {
        if (data.Length == 0) return;
        int count = data[0], at = 1;
        for (int i = 0; i < count; i++)
        {
            if (at >= data.Length) throw new FormatException($"{category}: strings: says {count} strings but ends after {i}.");
            int length = data[at++];
            if (at + length > data.Length) throw new FormatException($"{category}: strings: string {i + 1} of {length} bytes runs past the category's {data.Length} bytes.");
            strings.Add(Encoding.Latin1.GetString(data.Slice(at, length)));
            at += length;
        }
    }

    private static GeneralCategory ParseGeneral(ReadOnlySpan<byte> d, string category)
    {
        if (d.Length < 18) throw new FormatException($"{category}: general: {d.Length} bytes; it has at least 18 (ETG.2010: 32).");
        return new GeneralCategory(d[0], d[1], d[2], d[3], d[5], d[6], d[7], d[8], d[9], d[10], d[11],
            BinaryPrimitives.ReadInt16LittleEndian(d[12..]), BinaryPrimitives.ReadUInt16LittleEndian(d[16..]));
    }

    // 8 bytes per SyncManager: start, length, control, status, enable, type (ETG.1000.6 Table 21).
    private static void ParseSyncManagers(ReadOnlySpan<byte> d, List<SyncManager> sms, string category)
    {
        if (d.Length % 8 != 0) throw new FormatException($"{category}: SyncManagers: {d.Length} bytes is not a whole number of 8-byte entries.");
        for (int at = 0; at < d.Length; at += 8)
            sms.Add(new SyncManager(BinaryPrimitives.ReadUInt16LittleEndian(d[at..]), BinaryPrimitives.ReadUInt16LittleEndian(d[(at + 2)..]), d[at + 4], d[at + 6], d[at + 7]));
    }

    // PDOs one after another: an 8-byte header (index, entry count, SyncManager, synchronization, name, flags), then
    // 8 bytes per entry (index, subindex, name, data type, bit length, flags) (ETG.1000.6 Tables 22–23).
    private static void ParsePdos(ReadOnlySpan<byte> d, List<Pdo> pdos, string category)
    {
        int at = 0;
        while (at < d.Length)
        {
            if (at + 8 > d.Length) throw new FormatException($"{category}: PDO header at byte {at} runs past the category's {d.Length} bytes.");
            ushort index = BinaryPrimitives.ReadUInt16LittleEndian(d[at..]);
            int count = d[at + 2];
            if (at + 8 + 8 * count > d.Length)
                throw new FormatException($"{category}: PDO 0x{index:X4} says {count} entries ({8 * count} bytes) but the category has {d.Length - at - 8} bytes left.");
            var entries = new PdoEntry[count];
            for (int e = 0; e < count; e++)
            {
                var x = d.Slice(at + 8 + 8 * e, 8);
                entries[e] = new PdoEntry(BinaryPrimitives.ReadUInt16LittleEndian(x), x[2], x[3], x[4], x[5], BinaryPrimitives.ReadUInt16LittleEndian(x[6..]));
            }
            pdos.Add(new Pdo(index, d[at + 3], d[at + 4], d[at + 5], BinaryPrimitives.ReadUInt16LittleEndian(d[(at + 6)..]), entries));
            at += 8 + 8 * count;
        }
    }
}

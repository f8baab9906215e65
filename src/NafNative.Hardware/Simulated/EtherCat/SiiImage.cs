using System.Buffers.Binary;
using System.Text;
using NafNative.Hardware.EtherCat;

namespace NafNative.Hardware.Simulated.EtherCat;

/// <summary>Writes the SII EEPROM image a simulated slave serves: the fixed header (configuration area with its
/// checksum, identity, standard mailbox, protocols, size) and the categories strings (10), general (30), FMMU (40),
/// SyncManager (41), TxPDO (50) and RxPDO (51), each only where the description has it.</summary>
/// <remarks>Byte layouts: ETG.1000.6 §5.4, ETG.2010; the same tables <see cref="EcSii.Parse"/> reads, written here
/// independently so a test of each against hand-worked bytes checks both.</remarks>
public static class SiiImage
{
    /// <summary>The image as 16-bit words (what the ESC's SII interface serves).</summary>
    /// <exception cref="ArgumentException">A string is longer than 255 bytes, or there are more than 255 strings
    /// or entries in one PDO.</exception>
    public static ushort[] Build(EcSii sii)
    {
        ArgumentNullException.ThrowIfNull(sii);
        var bytes = new List<byte>(new byte[2 * EcSii.CategoriesStart]);
        void Put16(int at, ushort v) { bytes[at] = (byte)v; bytes[at + 1] = (byte)(v >> 8); }
        void Put32(int at, uint v) { Put16(at, (ushort)v); Put16(at + 2, (ushort)(v >> 16)); }
        // Configuration area (words 0–6) left 0: PDI off, no alias. Word 7: its checksum.
        bytes[14] = EcSii.ConfigChecksum(new byte[14]);
        Put32(2 * 0x0008, sii.Vendor);
        Put32(2 * 0x000A, sii.Product);
        Put32(2 * 0x000C, sii.Revision);
        Put32(2 * 0x000E, sii.Serial);
        Put16(2 * 0x0018, sii.MailboxOut.Start);
        Put16(2 * 0x0019, sii.MailboxOut.Size);
        Put16(2 * 0x001A, sii.MailboxIn.Start);
        Put16(2 * 0x001B, sii.MailboxIn.Size);
        Put16(2 * 0x001C, sii.MailboxProtocols);
        Put16(2 * 0x003F, 1); // SII version
        if (sii.Strings.Count > 0) Category(bytes, EcSii.StringsCategory, Strings(sii.Strings));
        if (sii.General is { } g) Category(bytes, EcSii.GeneralCategoryType, General(g));
        if (sii.Fmmus.Count > 0) Category(bytes, EcSii.FmmuCategory, [.. sii.Fmmus]);
        if (sii.SyncManagers.Count > 0) Category(bytes, EcSii.SyncManagerCategory, SyncManagers(sii.SyncManagers));
        if (sii.TxPdos.Count > 0) Category(bytes, EcSii.TxPdoCategory, Pdos(sii.TxPdos));
        if (sii.RxPdos.Count > 0) Category(bytes, EcSii.RxPdoCategory, Pdos(sii.RxPdos));
        bytes.Add(0xFF);
        bytes.Add(0xFF);
        // Word 0x003E: the smallest standard EEPROM (in kibibits, minus 1) that holds the image, at least 2 Kibit.
        int kibit = 2;
        while (kibit * 128 < bytes.Count) kibit *= 2;
        Put16(2 * 0x003E, (ushort)(kibit - 1));
        var words = new ushort[bytes.Count / 2];
        for (int i = 0; i < words.Length; i++) words[i] = (ushort)(bytes[2 * i] | bytes[2 * i + 1] << 8);
        return words;
    }

    // Type word, size in words, data padded to a whole word.
    private static void Category(List<byte> bytes, ushort type, byte[] data)
    {
        int words = (data.Length + 1) / 2;
        bytes.AddRange([(byte)type, (byte)(type >> 8), (byte)words, (byte)(words >> 8)]);
        bytes.AddRange(data);
        if (data.Length % 2 == 1) bytes.Add(0);
    }

    private static byte[] Strings(IReadOnlyList<string> strings)
    {
        if (strings.Count > 255) throw new ArgumentException($"SII: {strings.Count} strings; the strings category holds 255.", nameof(strings));
        var b = new List<byte> { (byte)strings.Count };
        foreach (string s in strings)
        {
            byte[] text = Encoding.Latin1.GetBytes(s);
            if (text.Length > 255) throw new ArgumentException($"SII: string '{s[..20]}…' is {text.Length} bytes; an SII string holds 255.", nameof(strings));
            b.Add((byte)text.Length);
            b.AddRange(text);
        }
        return [.. b];
    }

    // ETG.2010 Table 6: 32 bytes.
    private static byte[] General(EcSii.GeneralCategory g)
    {
        var b = new byte[32];
        (b[0], b[1], b[2], b[3]) = (g.GroupIndex, g.ImageIndex, g.OrderIndex, g.NameIndex);
        (b[5], b[6], b[7], b[8], b[9], b[10], b[11]) = (g.CoeDetails, g.FoeDetails, g.EoeDetails, g.SoeChannels, g.Ds402Channels, g.SysmanClass, g.Flags);
        BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(12), g.EbusCurrent);
        b[14] = g.GroupIndex; // repeated for compatibility (ETG.2010)
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(16), g.PhysicalPorts);
        return b;
    }

    private static byte[] SyncManagers(IReadOnlyList<EcSii.SyncManager> sms)
    {
        var b = new byte[8 * sms.Count];
        for (int i = 0; i < sms.Count; i++)
        {
            var sm = sms[i];
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(8 * i), sm.Start);
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(8 * i + 2), sm.Length);
            (b[8 * i + 4], b[8 * i + 5], b[8 * i + 6], b[8 * i + 7]) = (sm.Control, 0, sm.Enable, sm.Type);
        }
        return b;
    }

    private static byte[] Pdos(IReadOnlyList<EcSii.Pdo> pdos)
    {
        var b = new List<byte>();
        foreach (var p in pdos)
        {
            if (p.Entries.Count > 255) throw new ArgumentException($"SII: PDO 0x{p.Index:X4} has {p.Entries.Count} entries; a PDO holds 255.", nameof(pdos));
            b.AddRange([(byte)p.Index, (byte)(p.Index >> 8), (byte)p.Entries.Count, p.SyncManager, p.Synchronization, p.NameIndex, (byte)p.Flags, (byte)(p.Flags >> 8)]);
            foreach (var e in p.Entries)
                b.AddRange([(byte)e.Index, (byte)(e.Index >> 8), e.Subindex, e.NameIndex, e.DataType, e.Bits, (byte)e.Flags, (byte)(e.Flags >> 8)]);
        }
        return [.. b];
    }
}

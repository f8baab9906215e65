using NafNative.Hardware.EtherCat;
using NafNative.Hardware.Simulated.EtherCat;

namespace NafNative.Hardware.Tests.EtherCat;

/// <summary>The SII parser (master) and image builder (simulated slave), each against one image worked out by hand
/// from ETG.1000.6 §5.4 and ETG.2010.</summary>
public sealed class EcSiiTests
{
    // Words 0x0000–0x003F, then the categories. Configuration area all 0 (no PDI, no alias): its CRC-8 (0x07, init
    // 0xFF) over 14 zero bytes is 0x30 (the same value SOEM's eepromtool computes for such an area).
    private static byte[] HandWorkedImage()
    {
        var b = new byte[128];
        b[14] = 0x30;                                         // word 7: checksum
        Put(b, 16, "1E 0F 00 00  01 00 02 04  03 00 00 00  78 56 34 12"); // vendor, product, revision, serial
        Put(b, 48, "00 10 80 00  80 10 80 00  04 00");       // mailbox out 0x1000/128, in 0x1080/128, CoE
        Put(b, 124, "03 00  01 00");                         // size: 4 Kibit − 1 (the 266 bytes here exceed 2 Kibit); version 1
        return [.. b, .. Hex(
            // Strings (10), 6 words: 2 strings, "Drive" and "Grp", one pad byte.
            "0A 00 06 00  02 05 44 72 69 76 65 03 47 72 70 00" +
            // General (30), 16 words: group 2, image 0, order 0, name 1, CoE details 0x0F, DS402 channels 1,
            // flags 0x02 (not LRW), E-bus current 100 mA, group again, ports 0 and 1 MII.
            " 1E 00 10 00  02 00 00 01 00 0F 00 00 00 01 00 02 64 00 02 00 11 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00" +
            // FMMU (40), 2 words: outputs, inputs, mailbox status, unused.
            " 28 00 02 00  01 02 03 FF" +
            // SyncManager (41), 8 words: SM0 0x1000/128 control 0x26 enabled mailbox out; SM1 0x1080/128 0x22 mailbox in.
            " 29 00 08 00  00 10 80 00 26 00 01 01  80 10 80 00 22 00 01 02" +
            // TxPDO (50), 12 words: 0x1A00, 2 entries, SM3, sync 0, name 0, flags 0; 0x6041:00 UNSIGNED16 16 bits,
            // 0x6064:00 INTEGER32 32 bits (entry names 0).
            " 32 00 0C 00  00 1A 02 03 00 00 00 00  41 60 00 00 06 10 00 00  64 60 00 00 04 20 00 00" +
            // RxPDO (51), 12 words: 0x1600 with 0x6040:00 UNSIGNED16 on SM2 named string 1; 0x1601 empty, no SM (0xFF).
            " 33 00 0C 00  00 16 01 02 00 01 00 00  40 60 00 00 06 10 00 00  01 16 00 FF 00 00 00 00" +
            " FF FF")];
    }

    private static EcSii HandWorkedDescription() => new()
    {
        Vendor = 0x0F1E, Product = 0x0402_0001, Revision = 3, Serial = 0x1234_5678,
        MailboxOut = (0x1000, 128), MailboxIn = (0x1080, 128), MailboxProtocols = 0x0004,
        Strings = ["Drive", "Grp"],
        General = new EcSii.GeneralCategory(2, 0, 0, 1, 0x0F, 0, 0, 0, 1, 0, 0x02, 100, 0x0011),
        Fmmus = [1, 2, 3, 0xFF],
        SyncManagers = [new(0x1000, 128, 0x26, 1, 1), new(0x1080, 128, 0x22, 1, 2)],
        TxPdos = [new(0x1A00, 3, 0, 0, 0, [new(0x6041, 0, 0, 0x06, 16, 0), new(0x6064, 0, 0, 0x04, 32, 0)])],
        RxPdos = [new(0x1600, 2, 0, 1, 0, [new(0x6040, 0, 0, 0x06, 16, 0)]), new(0x1601, 0xFF, 0, 0, 0, [])],
    };

    [Test]
    public void Parse_HandWorkedImage_ReadsIdentityMailboxAndEveryCategory()
    {
        var sii = EcSii.Parse(HandWorkedImage());
        var expected = HandWorkedDescription();
        Assert.That((sii.Vendor, sii.Product, sii.Revision, sii.Serial), Is.EqualTo((0x0F1Eu, 0x0402_0001u, 3u, 0x1234_5678u)));
        Assert.That((sii.MailboxOut, sii.MailboxIn, sii.MailboxProtocols), Is.EqualTo((((ushort)0x1000, (ushort)128), ((ushort)0x1080, (ushort)128), (ushort)4)));
        Assert.That(sii.EepromBytes, Is.EqualTo(512));
        Assert.That(sii.ConfigChecksumValid, Is.True);
        Assert.That(sii.Strings, Is.EqualTo(new[] { "Drive", "Grp" }));
        Assert.That(sii.General, Is.EqualTo(expected.General));
        Assert.That(sii.Name, Is.EqualTo("Drive"));
        Assert.That(sii.String(sii.General!.GroupIndex), Is.EqualTo("Grp"));
        Assert.That(sii.Fmmus, Is.EqualTo(new byte[] { 1, 2, 3, 0xFF }));
        Assert.That(sii.SyncManagers, Is.EqualTo(expected.SyncManagers));
        Assert.That(sii.TxPdos, Has.Count.EqualTo(1));
        Assert.That(sii.TxPdos[0] with { Entries = [] }, Is.EqualTo(expected.TxPdos[0] with { Entries = [] }));
        Assert.That(sii.TxPdos[0].Entries, Is.EqualTo(expected.TxPdos[0].Entries));
        Assert.That(sii.TxPdos[0].Bits, Is.EqualTo(48));
        Assert.That(sii.RxPdos.Select(p => (p.Index, p.SyncManager, p.NameIndex, p.Entries.Count)), Is.EqualTo(new[] { ((ushort)0x1600, (byte)2, (byte)1, 1), ((ushort)0x1601, (byte)0xFF, (byte)0, 0) }));
        Assert.That(sii.RxPdos[0].Entries, Is.EqualTo(expected.RxPdos[0].Entries));
    }

    [Test]
    public void Build_HandWorkedDescription_GivesTheHandWorkedImageByteForByte()
    {
        ushort[] words = SiiImage.Build(HandWorkedDescription());
        var bytes = new byte[2 * words.Length];
        for (int i = 0; i < words.Length; i++) (bytes[2 * i], bytes[2 * i + 1]) = ((byte)words[i], (byte)(words[i] >> 8));
        Assert.That(Convert.ToHexString(bytes), Is.EqualTo(Convert.ToHexString(HandWorkedImage())));
    }

    [Test]
    public void Name_GeneralCategoryNamesAnotherString_ThatStringIsTheName()
    {
        var image = HandWorkedImage();
        image[128 + 16 + 4 + 3] = 2; // general category's name index → "Grp"
        Assert.That(EcSii.Parse(image).Name, Is.EqualTo("Grp"));
    }

    [Test]
    public void ConfigChecksum_AreaWithAnAlias_IsCheckedAndAWrongOneIsReported()
    {
        var image = HandWorkedImage();
        image[8] = 0x05; // station alias 5: CRC-8 of 00×8 05 00 00×4 is 0xBD
        Assert.That(EcSii.ConfigChecksum(image.AsSpan(0, 14)), Is.EqualTo(0xBD));
        Assert.That(EcSii.Parse(image).ConfigChecksumValid, Is.False, "the stored 0x30 is now wrong");
        image[14] = 0xBD;
        Assert.That(EcSii.Parse(image).ConfigChecksumValid, Is.True);
    }

    [Test]
    public void Parse_CategoryRunningPastTheImage_NamesTheCategoryAndItsWord()
    {
        var image = HandWorkedImage();
        image[128 + 2] = 0x60; // strings category: 96 words
        var ex = Assert.Throws<FormatException>(() => EcSii.Parse(image, "slave 0x1001"));
        Assert.That(ex!.Message, Does.Contain("slave 0x1001").And.Contain("category 10 at word 0x0040").And.Contain("96 words"));
    }

    [Test]
    public void Parse_PdoWithMoreEntriesThanItsCategoryHolds_IsRefusedNamingThePdo()
    {
        var image = HandWorkedImage();
        int tx = Array.IndexOf(image, (byte)0x32, 128);
        image[tx + 4 + 2] = 5; // 0x1A00 claims 5 entries; the category has room for 2
        var ex = Assert.Throws<FormatException>(() => EcSii.Parse(image));
        Assert.That(ex!.Message, Does.Contain("PDO 0x1A00 says 5 entries"));
    }

    [Test]
    public void Parse_NoEndMarker_IsRefused()
    {
        var image = HandWorkedImage()[..^2];
        Assert.That(() => EcSii.Parse(image), Throws.TypeOf<FormatException>().With.Message.Contains("without the end marker 0xFFFF"));
    }

    [Test]
    public void Parse_ShorterThanTheHeader_SaysSo()
    {
        Assert.That(() => EcSii.Parse(new byte[100]), Throws.TypeOf<FormatException>().With.Message.Contains("100 bytes"));
    }

    [Test]
    public void Parse_StringsCountBeyondItsData_IsRefused()
    {
        var image = HandWorkedImage();
        image[128 + 4] = 4; // four strings: two, and an empty one read from the pad byte
        Assert.That(() => EcSii.Parse(image), Throws.TypeOf<FormatException>().With.Message.Contains("says 4 strings but ends after 3"));
    }

    private static void Put(byte[] b, int at, string hex) => Hex(hex).CopyTo(b, at);

    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", ""));
}

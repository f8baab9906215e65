using NafNative.Hardware.EtherCat;
using NafNative.Hardware.Simulated.EtherCat;

namespace NafNative.Hardware.Tests.EtherCat;

/// <summary>The simulated slave's CoE SDO information service (ETG.1000.6 §5.6.3), which SOEM's slaveinfo uses for
/// -sdo and for the names and types it prints with -map: responses against hand-worked bytes.</summary>
public sealed class EcSdoInfoTests
{
    // Two objects: device type (UNSIGNED32, read-only) and the statusword (UNSIGNED16, TxPDO-mappable).
    private static ObjectDictionary Small()
    {
        var d = new ObjectDictionary();
        d.AddU32(0x1000, 0, 0x0002_0192);
        d.Add(0x6041, 0, [0x40, 0x00]);
        d.Describe(0x6041, "Statusword");
        d.DescribeEntry(0x6041, 0, "Statusword", CoeDataType.Unsigned16, mappable: 0x80);
        return d;
    }

    private static string Hex(byte[] b) => Convert.ToHexString(b);
    private static byte[] Bytes(string hex) => Convert.FromHexString(hex.Replace(" ", ""));

    [Test]
    public void OdList_AllObjects_ListsTheIndicesInOrder()
    {
        // Opcode 1 (get OD list), reserved, 0 fragments left, list type 1 (all).
        var r = Small().HandleInfo(Bytes("01 00 00 00 01 00"));
        Assert.That(r.Select(Hex), Is.EqualTo(new[] { "020000000100" + "0010" + "4160" }));
    }

    [Test]
    public void OdList_Counts_GivesHowManyEachListHolds()
    {
        var r = Small().HandleInfo(Bytes("01 00 00 00 00 00"));
        // List type 0, then all 2, RxPDO-mappable 0, TxPDO-mappable 1, backup 0, settings 0.
        Assert.That(r.Select(Hex), Is.EqualTo(new[] { "02000000" + "0000" + "0200" + "0000" + "0100" + "0000" + "0000" }));
    }

    [Test]
    public void ObjectDescription_Statusword_GivesTypeMaxSubCodeAndName()
    {
        var r = Small().HandleInfo(Bytes("03 00 00 00 41 60"));
        // Opcode 4, index 0x6041, data type 0x0006, max subindex 0, object code 7 (VAR), "Statusword".
        Assert.That(r.Select(Hex), Is.EqualTo(new[] { "04000000" + "4160" + "0600" + "00" + "07" + Hex("Statusword"u8.ToArray()) }));
    }

    [Test]
    public void EntryDescription_Statusword_GivesTypeBitsAccessAndName()
    {
        // Value info 0x07 as SOEM sends it; the answer carries none of unit, default, minimum, maximum.
        var r = Small().HandleInfo(Bytes("05 00 00 00 41 60 00 07"));
        // Opcode 6, index, subindex 0, value info 0, type 0x0006, 16 bits, access 0x0087 (readable in PRE-OP,
        // SAFE-OP, OP; TxPDO-mappable), name.
        Assert.That(r.Select(Hex), Is.EqualTo(new[] { "06000000" + "4160" + "00" + "00" + "0600" + "1000" + "8700" + Hex("Statusword"u8.ToArray()) }));
    }

    [Test]
    public void EntryDescription_UndescribedEntry_TakesItsTypeFromItsSize()
    {
        var r = Small().HandleInfo(Bytes("05 00 00 00 00 10 00 00"));
        Assert.That(Hex(r[0]), Is.EqualTo("06000000" + "0010" + "00" + "00" + "0700" + "2000" + "0700" + Hex("SubIndex 000"u8.ToArray())), "UNSIGNED32, 32 bits, read-only, a name made up");
    }

    [Test]
    public void UnknownObjectOrSubindex_GetsAnSdoInformationErrorWithTheAbortCode()
    {
        var d = Small();
        Assert.That(Hex(d.HandleInfo(Bytes("03 00 00 00 00 20"))[0]), Is.EqualTo("07000000" + "00000206"), "0x06020000 object does not exist");
        Assert.That(Hex(d.HandleInfo(Bytes("05 00 00 00 41 60 05 00"))[0]), Is.EqualTo("07000000" + "11000906"), "0x06090011 subindex does not exist");
        Assert.That(Hex(d.HandleInfo(Bytes("09 00 00 00"))[0]), Is.EqualTo("07000000" + "01000405"), "0x05040001 unknown opcode");
    }

    [Test]
    public void OdList_LongerThanOneMailbox_ComesInFragmentsCountingDown()
    {
        var d = new ObjectDictionary();
        for (int i = 0; i < 70; i++) d.AddU8((ushort)(0x2000 + i), 0, 0);
        var r = d.HandleInfo(Bytes("01 00 00 00 01 00"), mailboxSize: 128);
        // 128-byte mailbox: 116 bytes after the mailbox, CoE and information headers = 58 words; the list type and
        // 70 indices are 71 words: 58, then 13.
        Assert.That(r.Select(f => (f[0], f[2] | f[3] << 8, f.Length)), Is.EqualTo(new[] { ((byte)0x82, 1, 4 + 116), ((byte)0x02, 0, 4 + 26) }),
            "opcode 2 with the incomplete bit while fragments follow; fragments left 1, then 0");
        Assert.That(Hex(r[0][4..10]), Is.EqualTo("0100" + "0020" + "0120"), "the list type leads the first fragment only");
        Assert.That(Hex(r[1][4..6]), Is.EqualTo("3920"), "the second starts at index 0x2039, the 58th");
    }
}

using System.Buffers.Binary;
using NafNative.Interop.TensorBoard;
using NUnit.Framework;

namespace NafNative.Tests.Interop.TensorBoard;

[TestFixture]
public sealed class TfRecordTests
{
    [Test]
    public void Write_Record_HasLengthCrcsAndData()
    {
        byte[] data = [1, 2, 3, 4, 5];
        var stream = new MemoryStream();
        TfRecord.Write(stream, data);
        byte[] bytes = stream.ToArray();

        Assert.Multiple(() =>
        {
            Assert.That(bytes, Has.Length.EqualTo(data.Length + TfRecord.Overhead));
            Assert.That(BinaryPrimitives.ReadUInt64LittleEndian(bytes), Is.EqualTo(5UL));
            Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)), Is.EqualTo(Crc32C.Mask(Crc32C.Compute(bytes.AsSpan(0, 8)))));
            Assert.That(bytes.AsSpan(12, 5).ToArray(), Is.EqualTo(data));
            Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(17)), Is.EqualTo(Crc32C.Mask(Crc32C.Compute(data))));
        });
    }

    [Test]
    public void Frame_Record_SameBytesAsWrite()
    {
        byte[] data = [.. Enumerable.Range(0, 77).Select(i => (byte)(i * 7))];
        var stream = new MemoryStream();
        TfRecord.Write(stream, data);
        Assert.That(TfRecord.Frame(data), Is.EqualTo(stream.ToArray()));
    }

    [Test]
    public void ReadAll_SeveralRecords_RoundTrips()
    {
        var stream = new MemoryStream();
        byte[][] records = [[], [7], [.. Enumerable.Range(0, 300).Select(i => (byte)i)]];
        foreach (var r in records) TfRecord.Write(stream, r);
        var read = TfRecord.ReadAll(stream.ToArray(), "mem");
        Assert.That(read, Is.EqualTo(records));
    }

    [TestCase(3, "length CRC mismatch")]
    [TestCase(13, "data CRC mismatch")]
    [TestCase(15, "data CRC mismatch")]
    public void ReadAll_FlippedByte_RefusedNamingTheRecord(int index, string expected)
    {
        var stream = new MemoryStream();
        TfRecord.Write(stream, [1, 2, 3, 4, 5]);
        TfRecord.Write(stream, [9, 9]);
        byte[] bytes = stream.ToArray();
        int second = 5 + TfRecord.Overhead;
        bytes[second + index] ^= 0x10;
        var e = Assert.Throws<InvalidDataException>(() => TfRecord.ReadAll(bytes, "f.tfevents"));
        Assert.That(e!.Message, Does.Contain($"f.tfevents: record 1 at byte {second}").And.Contain(expected));
    }

    [Test]
    public void ReadAll_TruncatedRecord_Refused()
    {
        var stream = new MemoryStream();
        TfRecord.Write(stream, [1, 2, 3, 4, 5]);
        byte[] bytes = stream.ToArray()[..^2];
        var e = Assert.Throws<InvalidDataException>(() => TfRecord.ReadAll(bytes, "f"));
        Assert.That(e!.Message, Does.Contain("truncated data"));
    }
}

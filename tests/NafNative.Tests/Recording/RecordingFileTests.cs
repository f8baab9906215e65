using System.IO.Hashing;
using System.Text;
using System.Text.Json;
using NafNative.Recording;
using NUnit.Framework;

namespace NafNative.Tests.Recording;

public sealed class RecordingFileTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("naf-recording-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void WriteThenRead_RoundTripsEveryField()
    {
        var recording = SampleRecording.Make();
        string path = Path.Combine(_dir, "r.nafrec");
        RecordingFile.Write(path, recording);

        var read = RecordingFile.Read(path);
        Assert.That(JsonSerializer.Serialize(read, RecordingFile.Json), Is.EqualTo(JsonSerializer.Serialize(recording, RecordingFile.Json)));
        Assert.That(read.Episodes[1].Frames[2].Bodies, Is.EqualTo(recording.Episodes[1].Frames[2].Bodies));
    }

    [Test]
    public void Read_OtherVersion_RefusedNamingTheFileAndBothVersions()
    {
        string path = Written();
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, Replace(bytes, "\"version\":1,", "\"version\":2,"));

        var e = Assert.Throws<InvalidDataException>(() => RecordingFile.Read(path))!;
        Assert.That(e.Message, Does.Contain(path).And.Contain("version 2").And.Contain("version 1"));
    }

    [Test]
    public void Read_Truncated_RefusedNamingTheFile()
    {
        string path = Written();
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^25]);

        var e = Assert.Throws<InvalidDataException>(() => RecordingFile.Read(path))!;
        Assert.That(e.Message, Does.Contain(path).And.Contain("truncated"));
    }

    [Test]
    public void Read_CutInsideTheHeader_RefusedNamingTheFile()
    {
        string path = Written();
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..30]);

        var e = Assert.Throws<InvalidDataException>(() => RecordingFile.Read(path))!;
        Assert.That(e.Message, Does.Contain(path).And.Contain("no header line"));
    }

    [Test]
    public void Read_OneByteOfThePayloadChanged_RefusedByTheChecksum()
    {
        string path = Written();
        byte[] bytes = File.ReadAllBytes(path);
        int digit = Array.FindLastIndex(bytes, b => b is >= (byte)'1' and <= (byte)'8');
        bytes[digit]++;
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<InvalidDataException>(() => RecordingFile.Read(path))!;
        Assert.That(e.Message, Does.Contain(path).And.Contain("checksum").And.Contain("corrupted"));
    }

    [Test]
    public void Read_BytesAfterThePayload_Refused()
    {
        string path = Written();
        File.AppendAllText(path, "{}");

        var e = Assert.Throws<InvalidDataException>(() => RecordingFile.Read(path))!;
        Assert.That(e.Message, Does.Contain(path).And.Contain("2 bytes after"));
    }

    [Test]
    public void Read_NotARecording_Refused()
    {
        string path = Path.Combine(_dir, "metrics.csv");
        File.WriteAllText(path, "wall_seconds,env_steps\n1,2\n");

        var e = Assert.Throws<InvalidDataException>(() => RecordingFile.Read(path))!;
        Assert.That(e.Message, Does.Contain(path).And.Contain("not a NafNative recording"));
    }

    [Test]
    public void Read_ChecksumRightButFrameDoesNotFitTheScene_RefusedNamingTheField()
    {
        // A writer with a bug (or a hand-edited file with its hash recomputed): the payload is intact but a frame has
        // six joint angles for a seven-joint arm.
        var good = SampleRecording.Make();
        var frame = good.Episodes[0].Frames[1];
        var bad = good with
        {
            Episodes = [good.Episodes[0] with { Frames = [good.Episodes[0].Frames[0], frame with { Joints = frame.Joints[..6] }] }],
        };
        byte[] payload = JsonSerializer.SerializeToUtf8Bytes(bad, RecordingFile.Json);
        string header = $"{{\"format\":\"nafnative-recording\",\"version\":1,\"payload_bytes\":{payload.Length},\"payload_xxhash64\":\"{XxHash64.HashToUInt64(payload):x16}\"}}\n";
        string path = Path.Combine(_dir, "bad.nafrec");
        File.WriteAllBytes(path, [.. Encoding.UTF8.GetBytes(header), .. payload]);

        var e = Assert.Throws<InvalidDataException>(() => RecordingFile.Read(path))!;
        Assert.That(e.Message, Does.Contain(path).And.Contain("episodes[0].frames[1].joints has 6 numbers").And.Contain("7"));
    }

    [Test]
    public void Read_NoFile_NamesIt()
    {
        string path = Path.Combine(_dir, "none.nafrec");
        var e = Assert.Throws<FileNotFoundException>(() => RecordingFile.Read(path))!;
        Assert.That(e.Message, Does.Contain(path));
    }

    [Test]
    public void Write_NonFiniteValue_RefusedBeforeAnythingIsWritten()
    {
        var good = SampleRecording.Make();
        var frame = good.Episodes[0].Frames[0];
        var bad = good with { Episodes = [good.Episodes[0] with { Frames = [frame with { Values = [float.NaN] }] }] };
        string path = Path.Combine(_dir, "nan.nafrec");

        var e = Assert.Throws<FormatException>(() => RecordingFile.Write(path, bad))!;
        Assert.That(e.Message, Does.Contain("episodes[0].frames[0].values"));
        Assert.That(File.Exists(path), Is.False);
    }

    private string Written()
    {
        string path = Path.Combine(_dir, "r.nafrec");
        RecordingFile.Write(path, SampleRecording.Make());
        return path;
    }

    private static byte[] Replace(byte[] bytes, string from, string to)
    {
        string text = Encoding.UTF8.GetString(bytes);
        Assert.That(text, Does.Contain(from));
        int at = text.IndexOf(from, StringComparison.Ordinal);
        return Encoding.UTF8.GetBytes(text[..at] + to + text[(at + from.Length)..]);
    }
}

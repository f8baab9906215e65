using System.Buffers.Binary;
using System.IO.Hashing;
using NafNative.Naf;
using NUnit.Framework;

namespace NafNative.Tests.Naf;

/// <summary>Checkpoints round-trip bit-exactly, resume bit-identically, are written atomically, and refuse damaged
/// files with an <see cref="InvalidDataException"/> saying what is wrong and naming the file.</summary>
public sealed class NafCheckpointTests
{
    private string _directory = null!;

    [SetUp]
    public void CreateDirectory()
    {
        _directory = Path.Combine(Path.GetTempPath(), $"naf-checkpoint-tests-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_directory);
    }

    [TearDown]
    public void DeleteDirectory()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    private string PathOf(string name) => Path.Combine(_directory, name);

    /// <summary>Non-default values in every field, so a field the format forgets shows.</summary>
    private static NafOptions Options(int seed, float? maxGradientNorm = 5f) => new()
    {
        ObservationSize = 5, ActionSize = 3, HiddenSizes = [12, 7], BatchSize = 6, Discount = 0.95f, TargetUpdateRate = 0.01f,
        LearningRate = 3e-4f, AdamBeta1 = 0.8f, AdamBeta2 = 0.99f, AdamEpsilon = 1e-7f, MaxGradientNorm = maxGradientNorm, Seed = seed,
    };

    private static NafTrainer Trained(NafOptions options, int steps)
    {
        var trainer = new NafTrainer(options);
        foreach (var batch in TransitionBatch.Sequence(options, options.Seed, steps)) batch.StepOn(trainer);
        return trainer;
    }

    /// <summary>Bytes before the four parameter arrays (magic … seed), and where the 8-byte checksum starts.</summary>
    private static (int Header, int Checksum) Offsets(NafTrainer trainer, long fileLength)
    {
        int checksum = checked((int)fileLength - 8);
        int header = checksum - 16 * trainer.Online.Length;
        Assert.That(header, Is.EqualTo(72 + 4 * trainer.Options.HiddenSizes.Count), "the documented header layout");
        return (header, checksum);
    }

    private static void AssertSameState(NafTrainer actual, NafTrainer expected, string what)
    {
        BitExact.AssertEqual(actual.Online.Values, expected.Online.Values, $"{what}: θ");
        BitExact.AssertEqual(actual.Target, expected.Target, $"{what}: θ′");
        BitExact.AssertEqual(actual.AdamFirstMoment, expected.AdamFirstMoment, $"{what}: Adam m");
        BitExact.AssertEqual(actual.AdamSecondMoment, expected.AdamSecondMoment, $"{what}: Adam v");
        Assert.That(actual.Steps, Is.EqualTo(expected.Steps), $"{what}: Steps");
    }

    private static void AssertSameOptions(NafOptions actual, NafOptions expected)
    {
        // Field by field: record equality compares HiddenSizes by reference (and init copies the list).
        Assert.Multiple(() =>
        {
            Assert.That(actual.ObservationSize, Is.EqualTo(expected.ObservationSize), "ObservationSize");
            Assert.That(actual.ActionSize, Is.EqualTo(expected.ActionSize), "ActionSize");
            Assert.That(actual.HiddenSizes, Is.EqualTo(expected.HiddenSizes).AsCollection, "HiddenSizes");
            Assert.That(actual.Discount, Is.EqualTo(expected.Discount), "Discount");
            Assert.That(actual.TargetUpdateRate, Is.EqualTo(expected.TargetUpdateRate), "TargetUpdateRate");
            Assert.That(actual.LearningRate, Is.EqualTo(expected.LearningRate), "LearningRate");
            Assert.That(actual.AdamBeta1, Is.EqualTo(expected.AdamBeta1), "AdamBeta1");
            Assert.That(actual.AdamBeta2, Is.EqualTo(expected.AdamBeta2), "AdamBeta2");
            Assert.That(actual.AdamEpsilon, Is.EqualTo(expected.AdamEpsilon), "AdamEpsilon");
            Assert.That(actual.BatchSize, Is.EqualTo(expected.BatchSize), "BatchSize");
            Assert.That(actual.MaxGradientNorm, Is.EqualTo(expected.MaxGradientNorm), "MaxGradientNorm");
            Assert.That(actual.Seed, Is.EqualTo(expected.Seed), "Seed");
        });
    }

    [TestCase(true)]
    [TestCase(false)]
    public void SaveLoad_TrainedState_RestoresEveryArrayBitExactlyWithStepsAndOptions(bool clip)
    {
        int seed = TestData.SeedFor(320, clip ? 1 : 0);
        var options = Options(seed, clip ? 5f : null);
        var trainer = Trained(options, 3);
        string path = PathOf("round-trip.naf");

        NafCheckpoint.Save(trainer, path);
        var loaded = NafCheckpoint.Load(path, expected: options);

        AssertSameState(loaded, trainer, $"seed {seed}");
        Assert.That(loaded.Steps, Is.EqualTo(3));
        AssertSameOptions(loaded.Options, options);
    }

    [Test]
    public void Load_ResumedRun_ContinuesBitIdenticallyToUninterruptedRun()
    {
        int seed = TestData.SeedFor(321);
        var options = Options(seed);
        TransitionBatch[] batches = TransitionBatch.Sequence(options, seed, 20);
        string path = PathOf("resume.naf");

        var a = new NafTrainer(options);
        for (int k = 0; k < 10; k++) batches[k].StepOn(a);
        NafCheckpoint.Save(a, path);
        var lossesA = new float[10];
        for (int k = 10; k < 20; k++) lossesA[k - 10] = batches[k].StepOn(a);

        var b = NafCheckpoint.Load(path, expected: options);
        Assert.That(b.Steps, Is.EqualTo(10), "the checkpoint's step counter (Adam's t)");
        var lossesB = new float[10];
        for (int k = 10; k < 20; k++) lossesB[k - 10] = batches[k].StepOn(b);

        BitExact.AssertEqual(lossesB, lossesA, $"seed {seed}: losses of steps 10–19");
        AssertSameState(b, a, $"seed {seed}: after 20 steps, resumed at 10");
    }

    [Test]
    public void Load_TruncatedAtSeveralOffsets_ThrowsInvalidDataExceptionSayingTruncatedAndNamingFile()
    {
        int seed = TestData.SeedFor(322);
        var trainer = Trained(Options(seed), 2);
        string good = PathOf("good.naf");
        NafCheckpoint.Save(trainer, good);
        byte[] bytes = File.ReadAllBytes(good);
        var (header, checksum) = Offsets(trainer, bytes.Length);
        int arrays = 16 * trainer.Online.Length;

        int[] cuts =
        [
            0, 4,                                       // empty file; inside the magic
            10, 17, 30, header - 1,                     // inside the header: version, sizes, options
            header, header + 3, header + arrays / 2 + 1, // inside the arrays
            checksum, checksum + 5,                     // just before the checksum; inside it
        ];
        foreach (int cut in cuts)
        {
            string path = PathOf($"cut-{cut}.naf");
            File.WriteAllBytes(path, bytes.AsSpan(0, cut).ToArray());
            var ex = Assert.Throws<InvalidDataException>(() => NafCheckpoint.Load(path), $"cut at {cut} of {bytes.Length}");
            Assert.That(ex.Message, Does.Contain("truncated").And.Contain(path), $"cut at {cut} of {bytes.Length}");
        }
    }

    [Test]
    public void Load_SingleBitFlippedInArrays_ThrowsInvalidDataExceptionSayingChecksum()
    {
        int seed = TestData.SeedFor(323);
        var trainer = Trained(Options(seed), 2);
        string good = PathOf("good.naf");
        NafCheckpoint.Save(trainer, good);
        byte[] bytes = File.ReadAllBytes(good);
        var (header, checksum) = Offsets(trainer, bytes.Length);

        // One bit in θ, θ′, Adam m and the last byte of Adam v; a low mantissa bit is the quietest corruption.
        foreach ((int at, int bit) in new[] { (header, 0), (header + (checksum - header) / 4 + 6, 3), (header + (checksum - header) / 2 + 1, 0), (checksum - 1, 7) })
        {
            byte[] flipped = (byte[])bytes.Clone();
            flipped[at] ^= (byte)(1 << bit);
            string path = PathOf($"flip-{at}-{bit}.naf");
            File.WriteAllBytes(path, flipped);
            var ex = Assert.Throws<InvalidDataException>(() => NafCheckpoint.Load(path), $"bit {bit} of byte {at}");
            Assert.That(ex.Message, Does.Contain("checksum").And.Contain(path), $"bit {bit} of byte {at}");
        }
    }

    [Test]
    public void Load_WrongMagic_ThrowsInvalidDataExceptionSayingNotACheckpoint()
    {
        int seed = TestData.SeedFor(324);
        string good = PathOf("good.naf");
        NafCheckpoint.Save(Trained(Options(seed), 1), good);
        byte[] bytes = File.ReadAllBytes(good);
        bytes[0] ^= 0x20; // "nAFCKPT"
        string path = PathOf("magic.naf");
        File.WriteAllBytes(path, bytes);
        var ex = Assert.Throws<InvalidDataException>(() => NafCheckpoint.Load(path));
        Assert.That(ex.Message, Does.Contain("not a NafNative checkpoint").And.Contain(path));

        string text = PathOf("notes.txt");
        File.WriteAllText(text, "config: this is not a checkpoint at all\n");
        ex = Assert.Throws<InvalidDataException>(() => NafCheckpoint.Load(text));
        Assert.That(ex.Message, Does.Contain("not a NafNative checkpoint").And.Contain(text));
    }

    [Test]
    public void Load_OtherFormatVersionWithValidChecksum_ThrowsInvalidDataExceptionSayingFormatVersion()
    {
        int seed = TestData.SeedFor(325);
        string good = PathOf("good.naf");
        NafCheckpoint.Save(Trained(Options(seed), 1), good);
        byte[] bytes = File.ReadAllBytes(good);
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)), Is.EqualTo(NafCheckpoint.FormatVersion), "version after the magic");
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), NafCheckpoint.FormatVersion + 1);
        // Re-seal the trailer, so only the version check can object.
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(bytes.Length - 8), XxHash64.HashToUInt64(bytes.AsSpan(0, bytes.Length - 8)));
        string path = PathOf("version.naf");
        File.WriteAllBytes(path, bytes);

        var ex = Assert.Throws<InvalidDataException>(() => NafCheckpoint.Load(path));
        Assert.That(ex.Message, Does.Contain("format version").And.Contain($"{NafCheckpoint.FormatVersion + 1}").And.Contain(path));
        Assert.That(ex.Message, Does.Not.Contain("checksum"), "the trailer was re-sealed");
    }

    [TestCase(6, 3, new[] { 12, 7 })]
    [TestCase(5, 2, new[] { 12, 7 })]
    [TestCase(5, 3, new[] { 12, 8 })]
    [TestCase(5, 3, new[] { 12 })]
    public void Load_ShapeDiffersFromExpected_ThrowsInvalidDataExceptionSayingDoesNotMatch(int obs, int act, int[] hidden)
    {
        int seed = TestData.SeedFor(326, obs, act, hidden.Length);
        string path = PathOf("shape.naf");
        NafCheckpoint.Save(Trained(Options(seed), 1), path);
        var expected = new NafOptions { ObservationSize = obs, ActionSize = act, HiddenSizes = hidden };
        var ex = Assert.Throws<InvalidDataException>(() => NafCheckpoint.Load(path, expected));
        Assert.That(ex.Message, Does.Contain("does not match").And.Contain(path));
    }

    [TestCase(1)]
    [TestCase(8)]
    [TestCase(1000)]
    public void Load_TrailingGarbage_ThrowsInvalidDataExceptionNamingFile(int extra)
    {
        int seed = TestData.SeedFor(327, extra);
        string path = PathOf("garbage.naf");
        NafCheckpoint.Save(Trained(Options(seed), 1), path);
        using (var file = new FileStream(path, FileMode.Append)) file.Write(new byte[extra]);
        var ex = Assert.Throws<InvalidDataException>(() => NafCheckpoint.Load(path));
        Assert.That(ex.Message, Does.Contain($"{extra} unexpected bytes").And.Contain(path));
    }

    [Test]
    public void Save_OverExistingCheckpoint_ReplacesItAndLeavesNoTemporaryFile()
    {
        int seed = TestData.SeedFor(328);
        var options = Options(seed);
        var trainer = new NafTrainer(options);
        TransitionBatch[] batches = TransitionBatch.Sequence(options, seed, 3);
        string path = PathOf(Path.Combine("nested", "run", "ckpt.naf"));

        batches[0].StepOn(trainer);
        NafCheckpoint.Save(trainer, path); // creates the missing directories
        Assert.That(NafCheckpoint.Load(path).Steps, Is.EqualTo(1));
        batches[1].StepOn(trainer);
        batches[2].StepOn(trainer);
        NafCheckpoint.Save(trainer, path);

        AssertSameState(NafCheckpoint.Load(path), trainer, $"seed {seed}: the second save replaced the first");
        string directory = Path.GetDirectoryName(path)!;
        Assert.That(Directory.GetFiles(directory, "*.tmp-*"), Is.Empty, "temporary files left behind");
        Assert.That(Directory.GetFiles(directory), Is.EqualTo(new[] { path }).AsCollection, "only the checkpoint remains");
    }
}

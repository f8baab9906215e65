using NafNative.Replay;
using NUnit.Framework;

namespace NafNative.Tests.Replay;

/// <summary>The replay saved with a checkpoint: round trips in ticket order, survives producers inserting during the
/// save, and refuses every kind of damage without touching the ring.</summary>
[TestFixture]
public sealed class ReplayFileTests
{
    private const int Obs = 5;
    private string _root = "";

    [SetUp]
    public void SetUp() => _root = Directory.CreateTempSubdirectory("naf-replayfile-").FullName;

    [TearDown]
    public void TearDown()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    private static ReplayRing Filled(int capacity, int inserts)
    {
        var ring = new ReplayRing(capacity, Obs, StressTransition.ActionSize);
        var t = new StressTransition(Obs);
        for (int i = 0; i < inserts; i++)
        {
            t.Set(producer: 0, seq: i);
            t.InsertInto(ring);
        }
        return ring;
    }

    // The sequence number a stress transition carries in its slot (observation[1]).
    private static float[] Row(ReplayRing ring, long ticket)
    {
        var row = new float[ring.Stride];
        Assert.That(ring.TryCopyTicket(ticket, row, TimeSpan.Zero), Is.True, $"ticket {ticket} is held");
        return row;
    }

    [Test]
    public void SaveLoad_WrappedRing_RestoresTheHeldTransitionsOldestFirst()
    {
        var source = Filled(capacity: 64, inserts: 100);
        string path = Path.Combine(_root, "r.naf");

        long written = ReplayFile.Save(source, path, updates: 1234, envSteps: 5678, includeTransitions: true, TimeSpan.FromSeconds(1));
        var target = new ReplayRing(128, Obs, StressTransition.ActionSize);
        var header = ReplayFile.Load(path, target);

        Assert.Multiple(() =>
        {
            Assert.That(written, Is.EqualTo(64), "a full ring of 64 holds tickets 36..99");
            Assert.That(header, Is.EqualTo(new ReplayFile.Header(Obs, StressTransition.ActionSize, 1234, 5678, 64)));
            Assert.That(target.Inserted, Is.EqualTo(64));
            for (int i = 0; i < 64; i++)
                Assert.That(Row(target, i), Is.EqualTo(Row(source, 36 + i)), $"restored ticket {i} is source ticket {36 + i}, bit for bit");
        });
    }

    [Test]
    public void Load_IntoSmallerRing_KeepsTheNewest()
    {
        var source = Filled(capacity: 64, inserts: 64);
        string path = Path.Combine(_root, "r.naf");
        ReplayFile.Save(source, path, 1, 64, includeTransitions: true, TimeSpan.FromSeconds(1));

        var target = new ReplayRing(16, Obs, StressTransition.ActionSize);
        ReplayFile.Load(path, target);

        Assert.That(target.Inserted, Is.EqualTo(16), "only the newest 16 are inserted, not 64 that overwrite each other");
        for (int i = 0; i < 16; i++) Assert.That(Row(target, i)[1], Is.EqualTo(48 + i));
    }

    [Test]
    public void Save_ProgressOnly_HoldsCountersAndNoTransitions()
    {
        string path = Path.Combine(_root, "r.naf");
        ReplayFile.Save(Filled(64, 10), path, updates: 7, envSteps: 9, includeTransitions: false, TimeSpan.Zero);

        var target = new ReplayRing(64, Obs, StressTransition.ActionSize);
        Assert.That(ReplayFile.Load(path, target), Is.EqualTo(new ReplayFile.Header(Obs, StressTransition.ActionSize, 7, 9, 0)));
        Assert.That(target.Inserted, Is.Zero);
    }

    [Test]
    public void Save_WhileProducersInsert_EverySavedRowIsOneIntactTransition()
    {
        const int producers = 2;
        var ring = new ReplayRing(1024, Obs, StressTransition.ActionSize);
        using var stop = new CancellationTokenSource();
        var threads = Enumerable.Range(0, producers).Select(p => new Thread(() =>
        {
            var t = new StressTransition(Obs);
            // Paced like workers (a ring lapped during each save would leave little to check), yet inserting
            // throughout every save.
            for (int seq = 0; !stop.IsCancellationRequested && seq < 1 << 23; seq++)
            {
                t.Set(p, seq);
                t.InsertInto(ring);
                Thread.SpinWait(500);
            }
        })).ToArray();
        foreach (var thread in threads) thread.Start();
        try
        {
            while (ring.Inserted < 2 * ring.Capacity) Thread.Yield();
            for (int save = 0; save < 20; save++)
            {
                string path = Path.Combine(_root, $"r{save}.naf");
                long written = ReplayFile.Save(ring, path, save, save, includeTransitions: true, TimeSpan.FromSeconds(1));
                var copy = new ReplayRing(1024, Obs, StressTransition.ActionSize);
                ReplayFile.Load(path, copy);
                Assert.That(copy.Inserted, Is.EqualTo(written));
                Assert.That(written, Is.GreaterThan(ring.Capacity / 2), "most of the ring is saved while producers run");
                var batch = new ReplayBatch(64, copy);
                var random = new ReplayRandom((ulong)save + 1);
                long[] started = [long.MaxValue, long.MaxValue];
                for (int b = 0; b < 16; b++)
                {
                    Assert.That(copy.TrySample(batch, ref random), Is.True);
                    for (int row = 0; row < batch.Size; row++)
                        Assert.That(StressTransition.Verify(batch, row, producers, started), Is.Null, $"save {save}, row {row}");
                }
            }
        }
        finally
        {
            stop.Cancel();
            foreach (var thread in threads) thread.Join();
        }
    }

    [Test]
    public void TryCopyTicket_ProducerHeldMidInsert_WaitsThenGivesUp_AndSucceedsOncePublished()
    {
        var ring = new ReplayRing(8, Obs, StressTransition.ActionSize);
        using var claimed = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        ring.AfterClaimForTest = _ => { claimed.Set(); release.Wait(); };
        var producer = new Thread(() =>
        {
            var t = new StressTransition(Obs);
            t.Set(0, 0);
            t.InsertInto(ring);
        });
        producer.Start();
        claimed.Wait();
        var row = new float[ring.Stride];

        bool whileWriting = ring.TryCopyTicket(0, row, TimeSpan.FromMilliseconds(50));
        release.Set();
        producer.Join();
        bool afterPublish = ring.TryCopyTicket(0, row, TimeSpan.FromSeconds(1));

        Assert.Multiple(() =>
        {
            Assert.That(whileWriting, Is.False, "a slot still being written is never copied");
            Assert.That(afterPublish, Is.True);
            Assert.That(row[1], Is.EqualTo(0f), "the published transition's sequence field");
        });
    }

    [Test]
    public void TryCopyTicket_Overwritten_ReturnsFalse()
    {
        var ring = Filled(capacity: 8, inserts: 9);
        Assert.That(ring.TryCopyTicket(0, new float[ring.Stride], TimeSpan.FromSeconds(1)), Is.False, "ticket 8 took ticket 0's slot");
    }

    private string Saved()
    {
        string path = Path.Combine(_root, "r.naf");
        ReplayFile.Save(Filled(64, 40), path, 3, 40, includeTransitions: true, TimeSpan.Zero);
        return path;
    }

    private static void AssertRefused(string path, string expected, int observationSize = Obs)
    {
        var ring = new ReplayRing(64, observationSize, StressTransition.ActionSize);
        var error = Assert.Throws<InvalidDataException>(() => ReplayFile.Load(path, ring))!;
        Assert.That(error.Message, Does.Contain(path).And.Contain(expected));
        Assert.That(ring.Inserted, Is.Zero, "nothing was loaded from a refused file");
    }

    [Test]
    public void Load_Truncated_IsRefusedNamingTheFile()
    {
        string path = Saved();
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^100]);
        AssertRefused(path, "truncated");
    }

    [Test]
    public void Load_OneByteFlippedInTheMiddle_IsRefusedAsCorrupted()
    {
        string path = Saved();
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x10;
        File.WriteAllBytes(path, bytes);
        AssertRefused(path, "corrupted");
    }

    [Test]
    public void Load_NotAReplayFile_IsRefused()
    {
        string path = Path.Combine(_root, "x.naf");
        File.WriteAllBytes(path, new byte[200]);
        AssertRefused(path, "not a NafNative replay file");
    }

    [Test]
    public void Load_OtherTaskSizes_IsRefused() => AssertRefused(Saved(), "observation size 5", observationSize: 6);
}

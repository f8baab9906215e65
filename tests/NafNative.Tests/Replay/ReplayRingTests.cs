using NafNative.Replay;
using NUnit.Framework;

namespace NafNative.Tests.Replay;

/// <summary>Single-threaded contract of <see cref="ReplayRing"/>: construction, validation, round trip, wrap-around,
/// uniform sampling, counters, no allocation.</summary>
public sealed class ReplayRingTests
{
    private const int Obs = 3, Act = 2;

    private static ReplayRing Ring(int capacity) => new(capacity, Obs, Act);

    /// <summary>Inserts a transition whose every field encodes <paramref name="id"/>.</summary>
    private static long InsertId(ReplayRing ring, int id, bool terminated = false, bool truncated = false)
    {
        float[] obs = [id, id + 0.25f, id + 0.5f], act = [-id, -id - 0.5f], next = [id + 1, id + 1.25f, id + 1.5f];
        return ring.Insert(obs, act, id * 10f, next, terminated, truncated).Ticket;
    }

    [TestCase(0)]
    [TestCase(-4)]
    [TestCase(3)]
    [TestCase(100)]
    [TestCase(ReplayRing.MaxCapacity * 2)]
    public void Constructor_CapacityNotPowerOfTwoInRange_ThrowsNamingCapacity(int capacity)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => _ = Ring(capacity));
        Assert.Multiple(() =>
        {
            Assert.That(e!.ParamName, Is.EqualTo("capacity"));
            Assert.That(e.Message, Does.Contain("power of two").And.Contain(capacity.ToString()));
        });
    }

    [TestCase(0, 2, "observationSize")]
    [TestCase(3, 0, "actionSize")]
    [TestCase(-1, 2, "observationSize")]
    public void Constructor_NonPositiveSize_ThrowsNamingIt(int obs, int act, string name)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => _ = new ReplayRing(8, obs, act));
        Assert.That(e!.ParamName, Is.EqualTo(name));
    }

    [Test]
    public void Constructor_TooManyFloatsForOneArray_ThrowsNamingCapacity()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => _ = new ReplayRing(1 << 24, 4096, 7));
        Assert.That(e!.ParamName, Is.EqualTo("capacity"));
    }

    [Test]
    public void Constructor_ValidSizes_ReportsGeometryAndStartsEmpty()
    {
        var ring = new ReplayRing(16, 20, 7);
        Assert.Multiple(() =>
        {
            Assert.That(ring.Capacity, Is.EqualTo(16));
            Assert.That(ring.Stride, Is.EqualTo(2 * 20 + 7 + 3));
            Assert.That(ring.Inserted, Is.Zero);
            Assert.That(ring.Count, Is.Zero);
            Assert.That(ring.TornRetries, Is.Zero);
            Assert.That(ring.Superseded, Is.Zero);
        });
    }

    [Test]
    public void TrySample_BeforeAnyInsert_ReturnsFalseAndLeavesBatchUntouched()
    {
        var ring = Ring(8);
        var batch = new ReplayBatch(4, ring);
        Array.Fill(batch.Rewards, 123f);
        var random = new ReplayRandom(1);

        Assert.That(ring.TrySample(batch, ref random), Is.False);
        Assert.That(batch.Rewards, Is.All.EqualTo(123f));
    }

    [Test]
    public void Sample_BeforeAnyInsert_ThrowsSayingTheRingIsEmpty()
    {
        var ring = Ring(8);
        var batch = new ReplayBatch(4, ring);
        var random = new ReplayRandom(1);

        var e = Assert.Throws<InvalidOperationException>(() => ring.Sample(batch, ref random));
        Assert.That(e!.Message, Does.Contain("empty"));
    }

    [Test]
    public void Insert_ThenSample_RoundTripsEveryField()
    {
        var ring = Ring(8);
        InsertId(ring, 5, terminated: true, truncated: false);
        var batch = new ReplayBatch(3, ring);
        var random = new ReplayRandom(2);

        Assert.That(ring.TrySample(batch, ref random), Is.True);
        for (int row = 0; row < batch.Size; row++)
        {
            Assert.Multiple(() =>
            {
                Assert.That(batch.Observations.AsSpan(row * Obs, Obs).ToArray(), Is.EqualTo(new[] { 5f, 5.25f, 5.5f }));
                Assert.That(batch.Actions.AsSpan(row * Act, Act).ToArray(), Is.EqualTo(new[] { -5f, -5.5f }));
                Assert.That(batch.Rewards[row], Is.EqualTo(50f));
                Assert.That(batch.NextObservations.AsSpan(row * Obs, Obs).ToArray(), Is.EqualTo(new[] { 6f, 6.25f, 6.5f }));
                Assert.That(batch.Terminated[row], Is.EqualTo(1f));
                Assert.That(batch.Truncated[row], Is.EqualTo(0f));
                Assert.That(batch.Tickets[row], Is.Zero);
            });
        }
    }

    [Test]
    public void Insert_Truncated_StoresFlagAsOne()
    {
        var ring = Ring(1);
        InsertId(ring, 1, terminated: false, truncated: true);
        var batch = new ReplayBatch(1, ring);
        var random = new ReplayRandom(3);
        ring.Sample(batch, ref random);
        Assert.That((batch.Terminated[0], batch.Truncated[0]), Is.EqualTo((0f, 1f)));
    }

    [Test]
    public void Insert_PastCapacity_WrapsAroundAndKeepsTheNewest()
    {
        var ring = Ring(4);
        for (int id = 0; id < 10; id++) Assert.That(InsertId(ring, id), Is.EqualTo(id), "Insert returns the ticket");
        var batch = new ReplayBatch(64, ring);
        var random = new ReplayRandom(4);
        var seen = new HashSet<int>();

        for (int i = 0; i < 20; i++)
        {
            ring.Sample(batch, ref random);
            for (int row = 0; row < batch.Size; row++)
            {
                int id = (int)batch.Observations[row * Obs];
                Assert.That(batch.Tickets[row], Is.EqualTo(id), "ticket matches the transition");
                Assert.That(batch.Rewards[row], Is.EqualTo(id * 10f));
                seen.Add(id);
            }
        }
        Assert.Multiple(() =>
        {
            Assert.That(seen.Order(), Is.EqualTo(new[] { 6, 7, 8, 9 }), "exactly the newest 4 survive");
            Assert.That(ring.Inserted, Is.EqualTo(10));
            Assert.That(ring.Count, Is.EqualTo(4));
            Assert.That(ring.Superseded, Is.Zero);
        });
    }

    [Test]
    public void TrySample_PartlyFilled_DrawsOnlyInsertedTransitions()
    {
        var ring = Ring(64);
        for (int id = 0; id < 3; id++) InsertId(ring, id);
        var batch = new ReplayBatch(256, ring);
        var random = new ReplayRandom(5);

        ring.Sample(batch, ref random);

        var ids = Enumerable.Range(0, batch.Size).Select(row => (int)batch.Observations[row * Obs]).ToHashSet();
        Assert.That(ids.Order(), Is.EqualTo(new[] { 0, 1, 2 }));
        Assert.That(ring.Count, Is.EqualTo(3));
    }

    [Test]
    public void TrySample_FullRing_DrawsEverySlotUniformly()
    {
        const int capacity = 16, draws = 160_000;
        var ring = Ring(capacity);
        for (int id = 0; id < capacity; id++) InsertId(ring, id);
        var batch = new ReplayBatch(1000, ring);
        var random = new ReplayRandom((ulong)TestData.SeedFor(11));
        var counts = new int[capacity];

        for (int i = 0; i < draws / batch.Size; i++)
        {
            ring.Sample(batch, ref random);
            for (int row = 0; row < batch.Size; row++) counts[(int)batch.Tickets[row]]++;
        }

        // Pearson chi-square with 15 degrees of freedom: 37.7 is its 0.999 quantile (a fair sampler fails 1 in 1000
        // seeds; this seed is fixed).
        double expected = (double)draws / capacity;
        double chiSquare = counts.Sum(c => (c - expected) * (c - expected) / expected);
        Assert.That(chiSquare, Is.LessThan(37.7), $"seed {TestData.SeedFor(11)}: counts {string.Join(", ", counts)}");
    }

    [TestCase("observation", 0, float.NaN)]
    [TestCase("observation", 2, float.PositiveInfinity)]
    [TestCase("action", 1, float.NegativeInfinity)]
    [TestCase("action", 0, float.NaN)]
    [TestCase("nextObservation", 1, float.NaN)]
    [TestCase("reward", 0, float.NaN)]
    [TestCase("reward", 0, float.PositiveInfinity)]
    public void Insert_NonFiniteValue_ThrowsNamingFieldAndIndexAndLeavesRingUnchanged(string field, int index, float bad)
    {
        var ring = Ring(4);
        InsertId(ring, 7);
        float[] obs = [1, 2, 3], act = [4, 5], next = [6, 7, 8];
        float reward = 9;
        switch (field)
        {
            case "observation": obs[index] = bad; break;
            case "action": act[index] = bad; break;
            case "nextObservation": next[index] = bad; break;
            default: reward = bad; break;
        }

        var e = Assert.Throws<ArgumentException>(() => ring.Insert(obs, act, reward, next, false, false));

        string where = field == "reward" ? "reward" : $"{field}[{index}]";
        Assert.Multiple(() =>
        {
            Assert.That(e!.ParamName, Is.EqualTo(field));
            Assert.That(e.Message, Does.Contain(where).And.Contain("finite"));
            Assert.That(ring.Inserted, Is.EqualTo(1), "no ticket was taken");
        });
        var batch = new ReplayBatch(32, ring);
        var random = new ReplayRandom(6);
        ring.Sample(batch, ref random);
        Assert.That(batch.Observations.Where((_, i) => i % Obs == 0), Is.All.EqualTo(7f), "only the earlier transition is there");
    }

    [TestCase(2, 2, 3, "observation")]
    [TestCase(3, 1, 3, "action")]
    [TestCase(3, 2, 4, "nextObservation")]
    public void Insert_WrongLength_ThrowsNamingFieldAndSizes(int obsLength, int actLength, int nextLength, string field)
    {
        var ring = Ring(4);
        var e = Assert.Throws<ArgumentException>(() =>
            ring.Insert(new float[obsLength], new float[actLength], 0f, new float[nextLength], false, false));
        Assert.Multiple(() =>
        {
            Assert.That(e!.ParamName, Is.EqualTo(field));
            Assert.That(ring.Inserted, Is.Zero);
        });
    }

    [Test]
    public void TrySample_BatchShapedForOtherSizes_ThrowsNamingBatch()
    {
        var ring = Ring(4);
        InsertId(ring, 1);
        var batch = new ReplayBatch(4, Obs + 1, Act);
        var random = new ReplayRandom(1);
        var e = Assert.Throws<ArgumentException>(() => ring.TrySample(batch, ref random));
        Assert.That(e!.ParamName, Is.EqualTo("batch"));
    }

    [Test]
    public void TrySample_DefaultRandom_ThrowsSayingItIsUnseeded()
    {
        var ring = Ring(4);
        InsertId(ring, 1);
        var batch = new ReplayBatch(4, ring);
        var random = default(ReplayRandom);
        var e = Assert.Throws<ArgumentException>(() => ring.TrySample(batch, ref random));
        Assert.That(e!.Message, Does.Contain("unseeded"));
    }

    [TestCase(0)]
    [TestCase(-1)]
    public void ReplayBatch_NonPositiveSize_ThrowsNamingSize(int size)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => _ = new ReplayBatch(size, 3, 2));
        Assert.That(e!.ParamName, Is.EqualTo("size"));
    }

    [Test]
    public void InsertAndSample_AfterWarmUp_AllocateZeroBytes()
    {
        // A correctness property (producers and the learner make no garbage), not a timing.
        var ring = new ReplayRing(1024, 20, 7);
        var batch = new ReplayBatch(64, ring);
        var random = new ReplayRandom(8);
        float[] obs = new float[20], act = new float[7], next = new float[20];
        for (int i = 0; i < 2048; i++) ring.Insert(obs, act, 1f, next, false, false);
        ring.Sample(batch, ref random);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            ring.Insert(obs, act, 1f, next, i % 7 == 0, false);
            ring.TrySample(batch, ref random);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.That(allocated, Is.Zero);
    }

    [Test]
    public void ReplayRandom_SameSeed_SameSequenceAndNextIntInRange()
    {
        var a = new ReplayRandom(42);
        var b = new ReplayRandom(42);
        var c = new ReplayRandom(43);
        bool differs = false;
        for (int i = 0; i < 1000; i++)
        {
            int x = a.NextInt(7);
            Assert.That(x, Is.EqualTo(b.NextInt(7)));
            Assert.That(x, Is.InRange(0, 6));
            differs |= x != c.NextInt(7);
            float f = a.NextSingle();
            b.NextSingle();
            Assert.That(f, Is.InRange(0f, 1f).And.LessThan(1f));
        }
        Assert.That(differs, Is.True, "different seeds give different sequences");
        Assert.That(default(ReplayRandom).IsSeeded, Is.False);
        Assert.That(new ReplayRandom(0).IsSeeded, Is.True);
    }
}

using NafNative.Replay;
using NUnit.Framework;

namespace NafNative.Tests.Replay;

/// <summary><see cref="PrioritizedSampler"/>: draws in proportion to (|δ| + ε)^α, importance weights as the formula,
/// new transitions at the maximum priority, stale TD errors dropped, no allocation, intact rows under producers.</summary>
public sealed class PrioritizedSamplerTests
{
    private const int Obs = 3, Act = 2;

    private static void InsertId(ReplayRing ring, int id) =>
        ring.Insert([id, id, id], [-id, -id], id, [id + 1, id + 1, id + 1], false, false);

    /// <summary>Samples once (filling the tree from the ring), then gives slot i the TD error errors[i].</summary>
    private static void SetErrors(PrioritizedSampler sampler, ReplayRing ring, ReplayBatch batch, float[] errors)
    {
        var random = new ReplayRandom(5);
        var weights = new float[batch.Size];
        Assert.That(sampler.TrySample(batch, weights, ref random), Is.True);
        // A batch that holds each slot once: rows → slots 0..n−1 (copied under the seqlock as the sampler would).
        var rows = new ReplayBatch(ring.Capacity, ring);
        for (int slot = 0; slot < ring.Capacity; slot++)
        {
            Assert.That(ring.TryCopy(slot, rows, slot), Is.True);
            rows.Slots[slot] = slot;
        }
        sampler.UpdatePriorities(rows, errors);
    }

    [Test]
    public void Sampling_FrequenciesFollowPriorityToTheAlpha()
    {
        const int capacity = 8;
        const double alpha = 0.6;
        var ring = new ReplayRing(capacity, Obs, Act);
        for (int i = 0; i < capacity; i++) InsertId(ring, i);
        var sampler = new PrioritizedSampler(ring, alpha, importanceExponent: 0.4);
        float[] errors = [0.1f, 0.5f, 1f, 2f, 4f, 0f, 8f, 0.25f];
        SetErrors(sampler, ring, new ReplayBatch(16, ring), errors);

        double[] expected = [.. errors.Select(e => Math.Pow(Math.Abs(e) + PrioritizedSampler.PriorityFloor, alpha))];
        double total = expected.Sum();
        var counts = new long[capacity];
        var batch = new ReplayBatch(64, ring);
        var weights = new float[64];
        var random = new ReplayRandom((ulong)TestData.SeedFor(960));
        const int batches = 4000;
        for (int k = 0; k < batches; k++)
        {
            Assert.That(sampler.TrySample(batch, weights, ref random), Is.True);
            for (int row = 0; row < batch.Size; row++)
            {
                int id = (int)batch.Observations[row * Obs];
                Assert.That(batch.Tickets[row], Is.EqualTo(id), "row carries the transition of its slot");
                counts[id]++;
            }
        }
        long n = batches * 64L;
        for (int i = 0; i < capacity; i++)
        {
            double p = expected[i] / total;
            double sigma = Math.Sqrt(n * p * (1 - p));
            Assert.That(counts[i], Is.EqualTo(n * p).Within(5 * sigma + 1), $"slot {i} (|δ| {errors[i]}): P = {p:F4}");
        }
    }

    [Test]
    public void Weights_AreTheNormalisedImportanceRatios()
    {
        const int capacity = 16;
        const double alpha = 0.7, beta = 0.5;
        var ring = new ReplayRing(capacity, Obs, Act);
        for (int i = 0; i < capacity; i++) InsertId(ring, i);
        var sampler = new PrioritizedSampler(ring, alpha, beta);
        float[] errors = [.. Enumerable.Range(0, capacity).Select(i => 0.1f * (i + 1))];
        SetErrors(sampler, ring, new ReplayBatch(4, ring), errors);

        var batch = new ReplayBatch(32, ring);
        var weights = new float[32];
        var random = new ReplayRandom((ulong)TestData.SeedFor(961));
        Assert.That(sampler.TrySample(batch, weights, ref random), Is.True);

        double total = Enumerable.Range(0, capacity).Sum(sampler.ScaledPriority);
        double[] raw = new double[batch.Size];
        for (int row = 0; row < batch.Size; row++)
        {
            int slot = (int)batch.Tickets[row];
            double p = Math.Pow(Math.Abs(errors[slot]) + PrioritizedSampler.PriorityFloor, alpha) / total;
            raw[row] = Math.Pow(capacity * p, -beta);
        }
        double largest = raw.Max();
        for (int row = 0; row < batch.Size; row++)
            Assert.That(weights[row], Is.EqualTo(raw[row] / largest).Within(1e-5), $"row {row}");
        Assert.That(weights.Max(), Is.EqualTo(1f).Within(1e-6f));
    }

    [Test]
    public void NewTransitions_EnterAtTheLargestPrioritySeen_AndStaleErrorsAreDropped()
    {
        const int capacity = 4;
        var ring = new ReplayRing(capacity, Obs, Act);
        for (int i = 0; i < capacity; i++) InsertId(ring, i);
        var sampler = new PrioritizedSampler(ring, 1.0, 0.4);
        var batch = new ReplayBatch(4, ring);
        var weights = new float[4];
        var random = new ReplayRandom(7);
        Assert.That(sampler.TrySample(batch, weights, ref random), Is.True);
        Assert.That(sampler.ScaledPriority(0), Is.EqualTo(1.0), "before any TD error every transition has priority 1");

        // The batch's rows get errors 3 (one of them) and 0.5; then slot 0 is overwritten before its error lands.
        var errors = new float[4];
        for (int row = 0; row < 4; row++) errors[row] = row == 0 ? 3f : 0.5f;
        int staleSlot = batch.Slots[0];
        // Overwrite the first row's slot: insert until the next ticket lands on it, then once more.
        long ticket = ring.Inserted;
        while ((ticket & (capacity - 1)) != staleSlot) { InsertId(ring, 100 + (int)ticket); ticket++; }
        InsertId(ring, 999);
        sampler.UpdatePriorities(batch, errors);

        Assert.That(sampler.MaxPriority, Is.EqualTo(Math.Max(1.0, 0.5 + PrioritizedSampler.PriorityFloor)),
            "the stale row's error (3) must not count: its slot now holds another transition");
        for (int row = 1; row < 4; row++)
            if (batch.Slots[row] != staleSlot && ring.PublishedTicket(batch.Slots[row]) == batch.Tickets[row])
                Assert.That(sampler.ScaledPriority(batch.Slots[row]), Is.EqualTo(0.5 + PrioritizedSampler.PriorityFloor).Within(1e-12));

        // A TD error above every other raises the maximum; the next inserts enter at it.
        var single = new ReplayBatch(1, ring);
        Assert.That(ring.TryCopy(1, single, 0), Is.True);
        single.Slots[0] = 1;
        sampler.UpdatePriorities(single, [5f]);
        InsertId(ring, 1000);
        int newest = (int)((ring.Inserted - 1) & (capacity - 1));
        Assert.That(sampler.TrySample(batch, weights, ref random), Is.True);
        Assert.That(sampler.ScaledPriority(newest), Is.EqualTo(5 + PrioritizedSampler.PriorityFloor).Within(1e-12),
            "a transition inserted after the maximum rose enters at it");
    }

    [Test]
    public void SampleAndUpdate_AllocateNothing()
    {
        var ring = new ReplayRing(1024, Obs, Act);
        for (int i = 0; i < 1024; i++) InsertId(ring, i);
        var sampler = new PrioritizedSampler(ring, 0.6, 0.4);
        var batch = new ReplayBatch(64, ring);
        var weights = new float[64];
        var errors = new float[64];
        var random = new ReplayRandom(3);
        for (int k = 0; k < 50; k++) Round(k);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int k = 0; k < 500; k++) Round(k);
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);

        void Round(int k)
        {
            InsertId(ring, k);
            sampler.TrySample(batch, weights, ref random);
            for (int row = 0; row < 64; row++) errors[row] = (row + k) % 7 * 0.1f;
            sampler.UpdatePriorities(batch, errors);
        }
    }

    [Test]
    public void BadInput_IsRefusedNamingWhatWasWrong()
    {
        var ring = new ReplayRing(8, Obs, Act);
        InsertId(ring, 1);
        var sampler = new PrioritizedSampler(ring, 0.6, 0.4);
        var batch = new ReplayBatch(4, ring);
        var random = new ReplayRandom(1);
        Assert.Multiple(() =>
        {
            Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => _ = new PrioritizedSampler(ring, 0, 0.4))!.Message, Does.Contain("α"));
            Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => _ = new PrioritizedSampler(ring, 0.6, 1.5))!.Message, Does.Contain("β"));
            Assert.That(Assert.Throws<ArgumentException>(() => sampler.TrySample(batch, new float[3], ref random))!.Message, Does.Contain("(4)"));
            Assert.That(Assert.Throws<ArgumentException>(() => sampler.UpdatePriorities(batch, [0, float.NaN, 0, 0]))!.Message, Does.Contain("row 1"));
            Assert.That(new PrioritizedSampler(new ReplayRing(8, Obs, Act), 0.6, 0.4).TrySample(batch, new float[4], ref random), Is.False,
                "an empty ring has nothing to sample");
        });
    }

    [Test, Category("Stress")]
    public void Sample_WhileFourProducersOverwriteASmallRing_ReturnsOnlyIntactRows()
    {
        const int capacity = 64, producers = 4, batchSize = 16;
        var ring = new ReplayRing(capacity, StressTransition.DefaultObservationSize, StressTransition.ActionSize);
        var sampler = new PrioritizedSampler(ring, 0.6, 0.4);
        var started = new long[producers * 16];
        bool stop = false;
        var errors = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        var threads = Enumerable.Range(0, producers).Select(p => new Thread(() =>
        {
            try
            {
                var t = new StressTransition();
                for (int seq = 0; seq < 1 << 23 && !Volatile.Read(ref stop); seq++)
                {
                    t.Set(p, seq);
                    Volatile.Write(ref started[p * 16], seq + 1L);
                    t.InsertInto(ring);
                }
            }
            catch (Exception e) { errors.Enqueue(e); }
        }) { IsBackground = true }).ToArray();
        foreach (var thread in threads) thread.Start();

        var batch = new ReplayBatch(batchSize, ring);
        var weights = new float[batchSize];
        var td = new float[batchSize];
        var random = new ReplayRandom(11);
        var snapshot = new long[producers];
        long rows = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (rows < 200_000 && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (!sampler.TrySample(batch, weights, ref random)) continue;
            for (int p = 0; p < producers; p++) snapshot[p] = Volatile.Read(ref started[p * 16]);
            for (int row = 0; row < batchSize; row++)
            {
                string? failure = StressTransition.Verify(batch, row, producers, snapshot);
                Assert.That(failure, Is.Null, $"row {row}");
                Assert.That(weights[row], Is.InRange(0f, 1f));
                td[row] = (row % 5) * 0.3f;
            }
            sampler.UpdatePriorities(batch, td);
            rows += batchSize;
        }
        Volatile.Write(ref stop, true);
        foreach (var thread in threads) Assert.That(thread.Join(TimeSpan.FromSeconds(10)), Is.True);
        Assert.That(errors, Is.Empty);
        Assert.That(rows, Is.GreaterThan(10_000), "the sampler must have run alongside the producers");
    }
}

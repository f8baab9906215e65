using System.Diagnostics;
using NafNative.Replay;
using NUnit.Framework;

namespace NafNative.Tests.Replay;

/// <summary>Many producers and samplers on small rings that overwrite constantly: every sampled row must be a
/// transition some producer wrote, intact (see <see cref="StressTransition"/>), and no insert may be lost from the
/// count.</summary>
[Category("Stress")]
public sealed class ReplayRingStressTests
{
    private const int BatchSize = 16;

    [Test]
    public void Sample_EightProducersTwoSamplersOnRingOf64_NeverReturnsTornOrUnwrittenItem()
    {
        // The figure: 8 producers × 1,000,000 inserts each, 2 concurrent samplers, capacity 64 (each slot is
        // rewritten every 64 inserts, so samplers constantly race writers and writers lap each other).
        const int producers = 8, insertsPerProducer = 1_000_000, capacity = 64;
        var run = new StressRun(capacity, producers, samplers: 2, insertsPerProducer);

        run.Execute(stopWhen: null, timeout: TimeSpan.FromSeconds(120));

        run.Report();
        Assert.Multiple(() =>
        {
            Assert.That(run.Failures, Is.Zero, $"first bad row: {run.FirstFailure}");
            Assert.That(run.InsertedByProducers.Sum(), Is.EqualTo((long)producers * insertsPerProducer));
            Assert.That(run.Ring.Inserted, Is.EqualTo(run.InsertedByProducers.Sum()), "ring.Inserted = sum of every producer's inserts");
            Assert.That(run.Ring.Count, Is.EqualTo(capacity));
            Assert.That(run.RowsVerified, Is.GreaterThan(10_000), "the samplers must have run alongside the producers");
        });
        AssertHoldsExactlyTheNewest(run);
    }

    [TestCase(1, 4)]
    [TestCase(2, 2)]
    [TestCase(4, 2)]
    public void Sample_TinyRingWithFastProducers_RetriesTornReadsAndNeverReturnsThem(int capacity, int producers)
    {
        // A slot of a 1-4 slot ring is rewritten every few tens of nanoseconds, so a sampler's copy overlaps a writer
        // often: TornRetries must rise (the detection works) while no row fails verification (it is never returned).
        var run = new StressRun(capacity, producers, samplers: 1, insertsPerProducer: int.MaxValue);

        run.Execute(stopWhen: r => r.Ring.TornRetries >= 100 && r.RowsVerified >= 200_000, timeout: TimeSpan.FromSeconds(15));

        run.Report();
        Assert.Multiple(() =>
        {
            Assert.That(run.Failures, Is.Zero, $"first bad row: {run.FirstFailure}");
            Assert.That(run.Ring.TornRetries, Is.GreaterThan(0), "no sampler copy ever raced a writer: the test did not provoke torn reads");
            Assert.That(run.Ring.Inserted, Is.EqualTo(run.InsertedByProducers.Sum()));
            Assert.That(run.RowsVerified, Is.GreaterThan(0));
        });
        AssertHoldsExactlyTheNewest(run);
    }

    [Test]
    public void Insert_WritersLapEachOtherOnRingOfOne_NeverInterleavePayloads()
    {
        // Every insert targets the same slot, and long observations (1024 floats: ~1 µs per copy) make two producers'
        // copies overlap whenever both run. Without the per-slot writer exclusion (claim by CAS, wait for an older
        // writer) the slot would end up holding a mix of two transitions under a valid sequence; it never must.
        // Producers cycle through 64 prebuilt transitions each, so nearly all their time is spent inside Insert and a
        // preemption usually lands mid-copy: the case that needs the exclusion.
        var run = new StressRun(capacity: 1, producers: 3, samplers: 1, insertsPerProducer: int.MaxValue, observationSize: 1024,
            prebuilt: 64);

        // Time-boxed rather than counted: an overlap that is caught needs the OS to preempt a producer mid-copy on this
        // 2-core machine, and 3 s gives that many chances (a build without the exclusion fails here most runs).
        run.Execute(stopWhen: r => r.Elapsed >= TimeSpan.FromSeconds(3), timeout: TimeSpan.FromSeconds(10));

        run.Report();
        Assert.That(run.Failures, Is.Zero, $"first bad row: {run.FirstFailure}");
        Assert.That(run.Ring.Inserted, Is.EqualTo(run.InsertedByProducers.Sum()));
        AssertHoldsExactlyTheNewest(run);
    }

    [Test]
    public void Verify_RowMixingTwoTransitions_IsCaught()
    {
        // The checker itself must catch a torn row, or the stress tests above would prove nothing.
        var ring = new ReplayRing(4, StressTransition.DefaultObservationSize, StressTransition.ActionSize);
        var batch = new ReplayBatch(1, ring);
        var random = new ReplayRandom(7);
        var a = new StressTransition();
        var b = new StressTransition();
        a.Set(1, 10);
        b.Set(1, 11);
        a.InsertInto(ring);
        ring.Sample(batch, ref random);
        long[] started = [0, 100];
        Assert.That(StressTransition.Verify(batch, 0, 2, started), Is.Null, "an intact row passes");

        for (int field = 0; field < StressTransition.DefaultObservationSize; field++)
        {
            ring.Sample(batch, ref random);
            batch.NextObservations[field] = b.NextObservation[field];
            Assert.That(StressTransition.Verify(batch, 0, 2, started), Is.Not.Null, $"nextObservation[{field}] from another transition");
        }
        ring.Sample(batch, ref random);
        batch.Actions[3] = b.Action[3];
        Assert.That(StressTransition.Verify(batch, 0, 2, started), Is.Not.Null, "action[3] from another transition");
        ring.Sample(batch, ref random);
        batch.Rewards[0] = b.Reward;
        Assert.That(StressTransition.Verify(batch, 0, 2, started), Is.Not.Null, "reward from another transition");
        ring.Sample(batch, ref random);
        Assert.That(StressTransition.Verify(batch, 0, 2, [0, 10]), Is.Not.Null, "a sequence the producer had not started");
    }

    /// <summary>Once every producer has stopped, the ring holds exactly the last Capacity tickets, each intact.</summary>
    private static void AssertHoldsExactlyTheNewest(StressRun run)
    {
        var ring = run.Ring;
        var batch = new ReplayBatch(256, ring);
        var random = new ReplayRandom(99);
        var seen = new HashSet<long>();
        long[] started = run.StartedSnapshot();
        for (int i = 0; i < 64; i++)
        {
            ring.Sample(batch, ref random);
            for (int row = 0; row < batch.Size; row++)
            {
                Assert.That(StressTransition.Verify(batch, row, run.Producers, started), Is.Null);
                seen.Add(batch.Tickets[row]);
            }
        }
        long first = ring.Inserted - Math.Min(ring.Inserted, ring.Capacity);
        Assert.That(seen.Order().ToArray(), Is.EqualTo(Enumerable.Range(0, ring.Count).Select(i => first + i).ToArray()),
            $"after quiescence the ring holds exactly tickets [{first}, {ring.Inserted})");
    }

    /// <summary>Producer and sampler threads around one ring, with the counters the assertions read.</summary>
    private sealed class StressRun
    {
        private const int Pad = 16; // longs per producer counter: one per 128 bytes, no false sharing

        private readonly int _samplers;
        private readonly int _insertsPerProducer;
        private readonly int _prebuilt;   // > 0: producers cycle through this many prebuilt sequences (0: all distinct)
        private readonly long[] _started; // [p·Pad]: sequences producer p has begun to insert; written by p only
        private bool _stop;               // written by the controlling thread, read by every worker
        private long _failures, _rowsVerified;
        private string? _firstFailure;
        private readonly Stopwatch _clock = new();

        public StressRun(int capacity, int producers, int samplers, int insertsPerProducer,
            int observationSize = StressTransition.DefaultObservationSize, int prebuilt = 0)
        {
            _prebuilt = prebuilt;
            Ring = new ReplayRing(capacity, observationSize, StressTransition.ActionSize);
            Producers = producers;
            _samplers = samplers;
            _insertsPerProducer = insertsPerProducer;
            _started = new long[producers * Pad];
            InsertedByProducers = new long[producers];
        }

        public ReplayRing Ring { get; }
        public int Producers { get; }
        public long[] InsertedByProducers { get; }
        public long Failures => Interlocked.Read(ref _failures);
        public long RowsVerified => Interlocked.Read(ref _rowsVerified);
        public string? FirstFailure => Volatile.Read(ref _firstFailure);
        public TimeSpan Elapsed => _clock.Elapsed;

        public long[] StartedSnapshot()
        {
            var snapshot = new long[Producers];
            for (int p = 0; p < Producers; p++) snapshot[p] = Volatile.Read(ref _started[p * Pad]);
            return snapshot;
        }

        /// <summary>Runs producers to completion (or until <paramref name="stopWhen"/> holds), samplers alongside.</summary>
        public void Execute(Func<StressRun, bool>? stopWhen, TimeSpan timeout)
        {
            var errors = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
            var producers = new Thread[Producers];
            var samplers = new Thread[_samplers];
            int producersRunning = Producers;
            _clock.Start();
            for (int p = 0; p < Producers; p++)
            {
                int id = p;
                producers[p] = Spawn($"producer-{p}", errors, () =>
                {
                    try { Produce(id); }
                    finally { Interlocked.Decrement(ref producersRunning); }
                });
            }
            for (int s = 0; s < _samplers; s++)
            {
                ulong seed = (ulong)TestData.SeedFor(900, s);
                samplers[s] = Spawn($"sampler-{s}", errors, () => SampleUntil(() => Volatile.Read(ref producersRunning) == 0, seed));
            }

            var deadline = Stopwatch.StartNew();
            while (Volatile.Read(ref producersRunning) > 0 && errors.IsEmpty && deadline.Elapsed < timeout)
            {
                if (stopWhen?.Invoke(this) == true) break;
                Thread.Sleep(5);
            }
            bool timedOut = Volatile.Read(ref producersRunning) > 0 && stopWhen is null && deadline.Elapsed >= timeout;
            Volatile.Write(ref _stop, true);
            foreach (var thread in producers.Concat(samplers))
                Assert.That(thread.Join(TimeSpan.FromSeconds(30)), Is.True, $"{thread.Name} did not stop: a deadlock?");
            _clock.Stop();
            Assert.That(errors, Is.Empty, "a worker thread threw");
            Assert.That(timedOut, Is.False, $"producers did not finish within {timeout}");
        }

        public void Report() => TestContext.Out.WriteLine(
            $"capacity {Ring.Capacity}, {Producers} producers, {_samplers} samplers: {Ring.Inserted:N0} inserts, " +
            $"{RowsVerified:N0} rows verified, {Ring.TornRetries:N0} torn retries, {Ring.Superseded:N0} superseded, " +
            $"{_clock.Elapsed.TotalSeconds:F2} s");

        private void Produce(int producer)
        {
            var transition = new StressTransition(Ring.ObservationSize);
            var pool = new StressTransition[_prebuilt];
            for (int i = 0; i < pool.Length; i++)
            {
                pool[i] = new StressTransition(Ring.ObservationSize);
                pool[i].Set(producer, i);
            }
            long inserted = 0;
            for (int seq = 0; seq < _insertsPerProducer && !Volatile.Read(ref _stop); seq++)
            {
                StressTransition next = transition;
                if (pool.Length > 0) next = pool[seq % pool.Length];
                else transition.Set(producer, seq);
                // Release, before the insert: a sampler that reads this after sampling (seq) knows seq was begun.
                Volatile.Write(ref _started[producer * Pad], pool.Length > 0 ? Math.Min(seq + 1L, pool.Length) : seq + 1L);
                next.InsertInto(Ring);
                inserted++;
            }
            InsertedByProducers[producer] = inserted; // read after Join, which orders it
        }

        private void SampleUntil(Func<bool> producersDone, ulong seed)
        {
            var batch = new ReplayBatch(BatchSize, Ring);
            var random = new ReplayRandom(seed);
            var started = new long[Producers];
            bool lastRound = false;
            while (!lastRound && !Volatile.Read(ref _stop))
            {
                lastRound = producersDone(); // one more batch after the producers finish, on the quiet ring
                if (!Ring.TrySample(batch, ref random)) continue;
                long inserted = Ring.Inserted;
                for (int p = 0; p < Producers; p++) started[p] = Volatile.Read(ref _started[p * Pad]);
                for (int row = 0; row < batch.Size; row++)
                {
                    // A row with the previous row's ticket must be bit-identical to it (then it is verified too); this
                    // keeps the check cheap on 1-slot rings, where most rows repeat.
                    string? failure = row > 0 && batch.Tickets[row] == batch.Tickets[row - 1]
                        ? StressTransition.SameAsPrevious(batch, row)
                        : StressTransition.Verify(batch, row, Producers, started);
                    if (failure is null && batch.Tickets[row] >= inserted)
                        failure = $"ticket {batch.Tickets[row]} sampled but only {inserted} handed out";
                    if (failure is null) continue;
                    Interlocked.Increment(ref _failures);
                    Interlocked.CompareExchange(ref _firstFailure, failure, null);
                }
                Interlocked.Add(ref _rowsVerified, batch.Size);
            }
        }

        private static Thread Spawn(string name, System.Collections.Concurrent.ConcurrentQueue<Exception> errors, Action body)
        {
            var thread = new Thread(() =>
            {
                try { body(); }
                catch (Exception e) { errors.Enqueue(e); }
            })
            { IsBackground = true, Name = name };
            thread.Start();
            return thread;
        }
    }
}

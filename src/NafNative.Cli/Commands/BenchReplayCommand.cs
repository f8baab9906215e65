using System.CommandLine;
using System.Diagnostics;
using NafNative.Cli.Bench;
using NafNative.Replay;

namespace NafNative.Cli.Commands;

/// <summary><c>naf bench replay</c>: replay-ring throughput with P producer threads inserting and one sampler thread
/// sampling batches at the same time, on a ring filled to capacity first.</summary>
internal static class BenchReplayCommand
{
    /// <summary>Largest --capacity accepted: 2^24 transitions (about 3.4 GB at obs 20, act 7).</summary>
    private const int MaxCapacity = 1 << 24;

    public static Command Create()
    {
        var producers = Bounded("--producers", "Producer threads inserting transitions (0: sampler alone on the full ring).", 1, 0, 256);
        var capacity = new Option<int>("--capacity")
        {
            Description = $"Ring capacity in transitions, a power of two in [1, {MaxCapacity}].",
            DefaultValueFactory = _ => 1 << 20,
        };
        capacity.Validators.Add(r =>
        {
            int c = r.GetValueOrDefault<int>();
            if (c <= 0 || c > MaxCapacity || !int.IsPow2(c))
                r.AddError($"--capacity must be a power of two in [1, {MaxCapacity}], got {c}.");
        });
        var batch = Bounded("--batch", "Transitions per sampled batch.", 64, 1, 65_536);
        var obs = Bounded("--obs", "Floats per observation.", 20, 1, 4096);
        var act = Bounded("--act", "Floats per action.", 7, 1, 4096);
        var seconds = CommonOptions.Seconds(3.0);
        var json = CommonOptions.Json();
        var command = new Command("replay",
            "Measure replay-ring inserts/s and sampled batches/s with producers and one sampler running together.")
        {
            producers, capacity, batch, obs, act, seconds, json,
        };
        command.SetAction(parse =>
        {
            var options = new Settings(parse.GetValue(producers), parse.GetValue(capacity), parse.GetValue(batch),
                parse.GetValue(obs), parse.GetValue(act), parse.GetValue(seconds));
            ReplayResult result;
            try
            {
                result = Measure(options);
            }
            catch (Exception e) when (e is ArgumentException or OutOfMemoryException)
            {
                parse.InvocationConfiguration.Error.WriteLine($"bench replay: {e.Message}");
                return 1;
            }
            if (parse.GetValue(json)) JsonOutput.Write(parse.InvocationConfiguration.Output, result);
            else parse.InvocationConfiguration.Output.WriteLine(
                $"replay capacity={result.Capacity} obs={result.Obs} act={result.Act}, {result.Producers} producer(s) + 1 sampler " +
                $"(batch {result.Batch}) for {result.Seconds:F2} s on {result.LogicalCores} cores: " +
                $"{result.InsertsPerS / 1e6:F2} M inserts/s, {result.SampleBatchesPerS / 1e3:F1} k batches/s " +
                $"({result.SampledTransitionsPerS / 1e6:F2} M transitions/s), {result.TornRetries} torn retries, " +
                $"{result.Superseded} superseded");
            return 0;
        });
        return command;
    }

    private static Option<int> Bounded(string name, string description, int defaultValue, int min, int max)
    {
        var option = new Option<int>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(r =>
        {
            int v = r.GetValueOrDefault<int>();
            if (v < min || v > max) r.AddError($"{name} must be an integer in [{min}, {max}], got {v}.");
        });
        return option;
    }

    private static ReplayResult Measure(Settings s)
    {
        var ring = new ReplayRing(s.Capacity, s.Obs, s.Act);
        var (observation, action, nextObservation) = Transition(s.Obs, s.Act, seed: 1);

        // Fill to capacity first: the sampler is timed on a full ring, and the insert path is JIT-compiled.
        for (int i = 0; i < s.Capacity; i++) ring.Insert(observation, action, 0.5f, nextObservation, false, false);

        var shared = new SharedState();
        var threads = new List<Thread>();
        for (int p = 0; p < s.Producers; p++)
        {
            var (o, a, n) = Transition(s.Obs, s.Act, seed: 2 + p);
            threads.Add(Start($"replay-producer-{p}", shared, () =>
            {
                while (!Volatile.Read(ref shared.Stop)) ring.Insert(o, a, 0.25f, n, false, false);
            }));
        }
        threads.Add(Start("replay-sampler", shared, () =>
        {
            var samples = new ReplayBatch(s.Batch, ring);
            var random = new ReplayRandom(42);
            long batches = 0;
            while (!Volatile.Read(ref shared.Stop))
            {
                ring.TrySample(samples, ref random);
                // Release: single writer; the timing thread reads it with Volatile.Read.
                Volatile.Write(ref shared.Batches, ++batches);
            }
        }));

        // Warm-up (tiered JIT, thread start), then one timed window of counter deltas.
        Thread.Sleep(TimeSpan.FromSeconds(Math.Min(0.3, s.Seconds / 4)));
        long inserted0 = ring.Inserted, batches0 = Volatile.Read(ref shared.Batches), torn0 = ring.TornRetries;
        long superseded0 = ring.Superseded;
        var clock = Stopwatch.StartNew();
        Thread.Sleep(TimeSpan.FromSeconds(s.Seconds));
        long inserted1 = ring.Inserted, batches1 = Volatile.Read(ref shared.Batches), torn1 = ring.TornRetries;
        long superseded1 = ring.Superseded;
        double elapsed = clock.Elapsed.TotalSeconds;

        Volatile.Write(ref shared.Stop, true);
        foreach (var thread in threads) thread.Join();
        if (shared.Error is { } error) throw new InvalidOperationException($"bench replay: a worker thread failed: {error.Message}", error);

        double batchesPerS = (batches1 - batches0) / elapsed;
        return new ReplayResult(s.Producers, s.Capacity, s.Batch, s.Obs, s.Act, elapsed,
            (inserted1 - inserted0) / elapsed, batchesPerS, batchesPerS * s.Batch,
            torn1 - torn0, superseded1 - superseded0, ring.Inserted, Environment.ProcessorCount);
    }

    private static Thread Start(string name, SharedState shared, Action body)
    {
        var thread = new Thread(() =>
        {
            try
            {
                body();
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref shared.Error, e, null);
                Volatile.Write(ref shared.Stop, true);
            }
        })
        { IsBackground = true, Name = name };
        thread.Start();
        return thread;
    }

    private static (float[] Observation, float[] Action, float[] NextObservation) Transition(int obs, int act, int seed)
    {
        var random = new Random(seed);
        float[] Fill(int n)
        {
            var v = new float[n];
            for (int i = 0; i < n; i++) v[i] = random.NextSingle() * 2 - 1;
            return v;
        }
        return (Fill(obs), Fill(act), Fill(obs));
    }

    private sealed record Settings(int Producers, int Capacity, int Batch, int Obs, int Act, double Seconds);

    /// <summary>Flags and counters the benchmark threads share (each field's writer named).</summary>
    private sealed class SharedState
    {
        public bool Stop;          // written by the timing thread (or a failing worker), read by all workers
        public long Batches;       // written by the sampler, read by the timing thread
        public Exception? Error;   // first worker failure, set once by CompareExchange
    }

    private sealed record ReplayResult(int Producers, int Capacity, int Batch, int Obs, int Act, double Seconds,
        double InsertsPerS, double SampleBatchesPerS, double SampledTransitionsPerS, long TornRetries, long Superseded,
        long Inserted, int LogicalCores);
}

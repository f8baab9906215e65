using System.Diagnostics;
using NafNative.Learning;
using NafNative.Naf;
using NafNative.Replay;

namespace NafNative.Cli.Bench;

/// <summary><c>naf bench update --breakdown</c>: the learner's loop as training runs it — sample a batch from a
/// filled replay ring, one update with every phase timed, publish a snapshot every <c>publishEvery</c> updates — and
/// the time of each phase per update. With a priority exponent the batch comes from a <see cref="PrioritizedSampler"/>
/// and the update's TD errors go back into its sum tree (timed as its own phase), as the learner does then.</summary>
internal static class UpdateBreakdownBench
{
    /// <summary>One phase: its time, share, GFLOP/s where it multiplies matrices, GB/s where it streams the
    /// parameter vectors (the bytes it must move over its time) and that as a fraction of the measured bandwidth.</summary>
    public sealed record Row(string Phase, double Microseconds, double Percent, double? Gflops, double? GigabytesPerS = null, double? FractionOfBandwidth = null);

    /// <summary>The breakdown; <c>BandwidthGigabytesPerS</c>: <see cref="BandwidthMeter"/> over arrays of the parameter count.</summary>
    public sealed record Result(int Obs, int Act, int[] Hidden, int Batch, string Simd, string Device, double PeakGflops,
        double UpdatesPerS, double UpdatesPerSUntimed, double MicrosecondsPerUpdate, long Updates, Row[] Phases, double BandwidthGigabytesPerS = 0);

    public static Result Measure(NafOptions options, double seconds, double peak, int publishEvery, string simd, string device,
        double? priorityExponent = null)
    {
        var trainer = new NafTrainer(options);
        int b = options.BatchSize, obs = options.ObservationSize, act = options.ActionSize;
        var ring = new ReplayRing(1 << 16, obs, act);
        var random = new Random(7);
        float[] x = new float[obs], u = new float[act], x2 = new float[obs];
        for (int i = 0; i < ring.Capacity; i++)
        {
            for (int k = 0; k < obs; k++) { x[k] = (float)(2 * random.NextDouble() - 1); x2[k] = (float)(2 * random.NextDouble() - 1); }
            for (int k = 0; k < act; k++) u[k] = (float)(2 * random.NextDouble() - 1);
            ring.Insert(x, u, (float)random.NextDouble(), x2, i % 10 == 0, false);
        }
        var batch = new ReplayBatch(b, ring);
        var sampler = new ReplayRandom(11);
        var publisher = new SnapshotPublisher();
        var loop = new Loop(trainer, ring, batch, publisher, publishEvery,
            priorityExponent is double alpha ? new PrioritizedSampler(ring, alpha, importanceExponent: 0.4) : null);

        // The same loop untimed first: what the breakdown's own timestamps cost shows as the gap between the two rates.
        var (untimedCalls, untimedSeconds) = Measurement.Run(count =>
        {
            for (long i = 0; i < count; i++) loop.Iterate(ref sampler, out _, out _, out _);
        }, seconds / 2);

        var breakdown = new UpdateBreakdown();
        trainer.Breakdown = breakdown;
        long sampleTicks = 0, publishTicks = 0, priorityTicks = 0;
        bool counting = false;
        var (calls, elapsed) = Measurement.Run(count =>
        {
            if (!counting)
            {
                // The first timed batch starts the count (the warm-up's updates are dropped).
                breakdown.Reset();
                (sampleTicks, publishTicks, priorityTicks, counting) = (0, 0, 0, true);
            }
            for (long i = 0; i < count; i++)
            {
                loop.Iterate(ref sampler, out long sample, out long publish, out long priorities);
                sampleTicks += sample;
                publishTicks += publish;
                priorityTicks += priorities;
            }
        }, seconds / 2);
        trainer.Breakdown = null;

        double perUpdate = 1e6 / Stopwatch.Frequency / Math.Max(1, breakdown.Updates);
        var phases = new List<UpdateBreakdown.PhaseTime>
        {
            new(loop.Prioritized is null ? "sample batch (replay ring)" : $"sample batch (prioritised, α {loop.Prioritized.PriorityExponent})",
                sampleTicks * perUpdate, 0),
        };
        phases.AddRange(breakdown.Read(trainer.Network, b));
        if (loop.Prioritized is not null) phases.Add(new("priorities from TD errors (sum tree)", priorityTicks * perUpdate, 0));
        phases.Add(new($"publish snapshot (every {publishEvery})", publishTicks * perUpdate, 0));
        double total = phases.Sum(p => p.Microseconds);
        // The memory-bound phases' yardstick: streaming over arrays of the parameter vectors' size, as they do.
        double bandwidth = BandwidthMeter.MeasureGBs(trainer.Network.ParameterCount, Math.Min(0.5, seconds / 6));
        var rows = phases.Select(p =>
        {
            double? gbs = p.Bytes > 0 && p.Microseconds > 0 ? p.Bytes / (p.Microseconds * 1e3) : null;
            return new Row(p.Name, p.Microseconds, 100 * p.Microseconds / total,
                p.Flops > 0 && p.Microseconds > 0 ? p.Flops / (p.Microseconds * 1e3) : null, gbs, gbs / bandwidth);
        }).ToArray();
        return new Result(obs, act, [.. options.HiddenSizes], b, simd, device, peak, calls / elapsed, untimedCalls / untimedSeconds,
            total, breakdown.Updates, rows, bandwidth);
    }

    /// <summary>One learner iteration: sample (uniform or prioritised), update, feed TD errors back, publish.</summary>
    private sealed class Loop(NafTrainer trainer, ReplayRing ring, ReplayBatch batch, SnapshotPublisher publisher, int publishEvery,
        PrioritizedSampler? prioritized)
    {
        private readonly float[] _weights = new float[batch.Size];

        public PrioritizedSampler? Prioritized => prioritized;

        public void Iterate(ref ReplayRandom sampler, out long sampleTicks, out long publishTicks, out long priorityTicks)
        {
            long t0 = Stopwatch.GetTimestamp();
            if (prioritized is null) ring.TrySample(batch, ref sampler);
            else prioritized.TrySample(batch, _weights, ref sampler);
            long t1 = Stopwatch.GetTimestamp();
            float loss = prioritized is null ? trainer.Step(batch) : trainer.Step(batch, _weights);
            long t2 = Stopwatch.GetTimestamp();
            // As the learner: a skipped (non-finite) update leaves the priorities as they were.
            if (prioritized is not null && float.IsFinite(loss)) prioritized.UpdatePriorities(batch, trainer.LastTdErrors);
            long t3 = Stopwatch.GetTimestamp();
            if (trainer.Steps % publishEvery == 0) publisher.Publish(trainer.Online.Values, trainer.Steps);
            long t4 = Stopwatch.GetTimestamp();
            sampleTicks = t1 - t0;
            priorityTicks = t3 - t2;
            publishTicks = t4 - t3;
        }
    }

    public static IEnumerable<string> Table(Result r)
    {
        yield return $"NAF update breakdown obs={r.Obs} act={r.Act} hidden={string.Join(',', r.Hidden)} batch={r.Batch} [{r.Device}] ({r.Simd}), " +
            $"peak {r.PeakGflops:F1} GFLOP/s, streaming bandwidth {r.BandwidthGigabytesPerS:F1} GB/s over the parameter vectors' size";
        yield return $"{r.MicrosecondsPerUpdate:F1} µs per update timed ({r.UpdatesPerS:F0} updates/s; {r.UpdatesPerSUntimed:F0}/s without the " +
            $"breakdown's timestamps), {r.Updates} updates";
        yield return $"{"phase",-40} {"µs",9} {"%",6} {"GFLOP/s",8} {"% peak",7} {"GB/s",7} {"% bw",6}";
        foreach (var row in r.Phases)
            yield return $"{row.Phase,-40} {row.Microseconds,9:F2} {row.Percent,6:F1} " +
                (row.Gflops is double g ? $"{g,8:F1} {100 * g / r.PeakGflops,7:F1}" : $"{"",8} {"",7}") +
                (row.GigabytesPerS is double gb ? $" {gb,7:F1} {100 * row.FractionOfBandwidth!.Value,6:F1}" : "");
    }
}

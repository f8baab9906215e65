using System.CommandLine;
using NafNative.Cli.Bench;
using NafNative.Kernels.Cpu;
using NafNative.Naf;
using NafNative.Naf.Gpu;

namespace NafNative.Cli.Commands;

/// <summary><c>naf bench update</c>: NAF updates per second of one learner thread on synthetic transitions, on the
/// SIMD CPU backend or the ILGPU backend (CUDA, or ILGPU's CPU accelerator).</summary>
internal static class BenchUpdateCommand
{
    public static Command Create()
    {
        var obs = CommonOptions.PositiveInt("--obs", "Observation size.", 20);
        var act = CommonOptions.PositiveInt("--act", "Action size n (the L head has n(n+1)/2 entries).", 7);
        var hidden = new Option<string>("--hidden") { Description = "Hidden layer widths, comma-separated.", DefaultValueFactory = _ => "100,100" };
        hidden.Validators.Add(r =>
        {
            if (ParseHidden(r.GetValueOrDefault<string>()) is null)
                r.AddError($"--hidden must be comma-separated positive integers such as 100,100; got '{r.GetValueOrDefault<string>()}'.");
        });
        var batch = CommonOptions.PositiveInt("--batch", "Transitions per update.", 64);
        // The learner is one thread by design (the original work's single central learner); the option exists so that
        // scripts written against the command line keep working, and says so when asked for more.
        var threads = new Option<int>("--threads") { Description = "Learner threads: 1 (the NAF update runs on one thread).", DefaultValueFactory = _ => 1 };
        threads.Validators.Add(r =>
        {
            int t = r.GetValueOrDefault<int>();
            if (t != 1)
                r.AddError($"--threads {t}: the NAF update runs on one learner thread (the original work's design: one central learner, " +
                           "workers on the other cores); only --threads 1 is supported.");
        });
        var seconds = CommonOptions.Seconds(3.0);
        var simd = CommonOptions.Simd();
        var json = CommonOptions.Json();
        var backend = CommonOptions.Backend();
        var breakdown = new Option<bool>("--breakdown") { Description = "Time each phase of the update (sample, forwards, advantage, loss, backward per layer, clip, Adam, Polyak, publish); CPU backend." };
        var publishEvery = CommonOptions.PositiveInt("--publish-every", "With --breakdown: publish a parameter snapshot every this many updates (as training does).", 50);
        var prioritized = new Option<double?>("--priority-exponent")
        {
            Description = "With --breakdown: sample by prioritised replay with this α (β 0.4) and time the sum tree's sampling and priority updates.",
        };
        prioritized.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double?>() is double a && !(a > 0 && a <= 1)) r.AddError($"--priority-exponent must be in (0, 1], got {a}.");
        });
        var command = new Command("update", "Measure NAF updates/s (TD target, Q, loss, backward, Adam, Polyak) on one thread.")
            { obs, act, hidden, batch, threads, seconds, simd, backend, breakdown, publishEvery, prioritized, json };
        command.SetAction(parse =>
        {
            using var _ = SimdPath.Force(parse.GetValue(simd));
            CommonOptions.TuneKernels(parse.InvocationConfiguration.Error);
            var options = new NafOptions
            {
                ObservationSize = parse.GetValue(obs),
                ActionSize = parse.GetValue(act),
                HiddenSizes = ParseHidden(parse.GetValue(hidden))!,
                BatchSize = parse.GetValue(batch),
            };
            double secs = parse.GetValue(seconds);
            string chosen = CommonOptions.ResolveBackend(parse.GetValue(backend)!);
            if (parse.GetValue(prioritized) is not null && !parse.GetValue(breakdown))
            {
                parse.InvocationConfiguration.Error.WriteLine("bench update: --priority-exponent applies to --breakdown (the plain benchmark times updates without sampling).");
                return 1;
            }
            if (parse.GetValue(breakdown))
            {
                if (chosen != "cpu")
                {
                    parse.InvocationConfiguration.Error.WriteLine($"bench update: --breakdown times the CPU trainer's phases; backend '{chosen}' runs them as device kernels (use --backend cpu).");
                    return 1;
                }
                var r = UpdateBreakdownBench.Measure(options, secs, PeakMeter.MeasureGflops(Math.Min(1.0, secs / 3)), parse.GetValue(publishEvery),
                    SimdPath.Active.ToString(), CommonOptions.CpuDescription(), parse.GetValue(prioritized));
                if (parse.GetValue(json)) JsonOutput.Write(parse.InvocationConfiguration.Output, r);
                else foreach (string line in UpdateBreakdownBench.Table(r)) parse.InvocationConfiguration.Output.WriteLine(line);
                return 0;
            }
            UpdateResult result;
            try
            {
                result = chosen == "cpu"
                    ? Measure(options, secs, PeakMeter.MeasureGflops(Math.Min(1.0, secs / 3)))
                    : MeasureGpu(options, secs, chosen);
            }
            catch (Exception e) when (e is InvalidOperationException or InsufficientMemoryException or ArgumentException)
            {
                parse.InvocationConfiguration.Error.WriteLine($"bench update: {e.Message}");
                return 1;
            }
            double peak = result.PeakGflops;
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json)) JsonOutput.Write(output, result);
            else output.WriteLine(
                $"NAF update obs={options.ObservationSize} act={options.ActionSize} hidden={parse.GetValue(hidden)} batch={options.BatchSize} " +
                $"[{result.Backend}: {result.Device}] ({result.Simd}): " +
                $"{result.UpdatesPerS:F0} updates/s, {result.TransitionsPerS:F0} transitions/s, {result.Gflops:F1} GFLOP/s " +
                $"= {100 * result.FractionOfPeak:F1}% of peak {peak:F1}, {result.AllocatedBytesPerUpdate:F2} B allocated/update");
            return 0;
        });
        return command;
    }

    private static UpdateResult Measure(NafOptions options, double seconds, double peak)
    {
        var trainer = new NafTrainer(options);
        return Measure(options, seconds, peak, trainer.Network, trainer.Step, synchronize: null, "cpu", CommonOptions.CpuDescription());
    }

    // The same loop on the ILGPU backend, as a learner drives it: Step only enqueues (the host launches update t + 1
    // while the device runs t) and the loss is downloaded once per LossWindow updates; each timed chunk ends with
    // SynchronizeLoss, so every counted update has finished on the device. Includes launch overhead, the batch
    // upload and the loss downloads. Peak: the CUDA device's FP32 FMA peak
    // from its SM count and clock; on the CPU accelerator, this core's measured FMA peak.
    private static UpdateResult MeasureGpu(NafOptions options, double seconds, string backend)
    {
        using var trainer = new GpuNafTrainer(options, backend == "gpu" ? GpuDevice.Cuda : GpuDevice.CpuAccelerator);
        double peak = GpuAccelerators.PeakGflops(trainer.Accelerator) ?? PeakMeter.MeasureGflops(Math.Min(1.0, seconds / 3));
        return Measure(options, seconds, peak, trainer.Network, trainer.Step, () => trainer.SynchronizeLoss(), backend, trainer.DeviceName);
    }

    private delegate float StepFunction(ReadOnlySpan<float> observations, ReadOnlySpan<float> actions, ReadOnlySpan<float> rewards,
        ReadOnlySpan<float> nextObservations, ReadOnlySpan<float> terminated);

    // One backend's timed loop on a fixed synthetic batch (every 10th transition terminal). The first step is the
    // warm-up (tape arenas reach their size; GPU kernels compile); allocation is counted over every call after it.
    private static UpdateResult Measure(NafOptions options, double seconds, double peak, NafNetwork network,
        StepFunction step, Action? synchronize, string backend, string device)
    {
        int b = options.BatchSize;
        var random = new Random(7);
        float[] x = Fill(new float[b * options.ObservationSize], random), x2 = Fill(new float[b * options.ObservationSize], random);
        float[] u = Fill(new float[b * options.ActionSize], random), r = Fill(new float[b], random), done = new float[b];
        for (int i = 0; i < b; i += 10) done[i] = 1f;

        step(x, u, r, x2, done);
        synchronize?.Invoke();
        long before = 0, updates = 0;
        var (calls, elapsed) = Measurement.Run(count =>
        {
            if (updates == 0) before = GC.GetAllocatedBytesForCurrentThread();
            for (long i = 0; i < count; i++) step(x, u, r, x2, done);
            synchronize?.Invoke();
            updates += count;
        }, seconds);
        double allocated = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)Math.Max(1, updates);
        double ups = calls / elapsed;
        double flops = network.UpdateFlops(b);
        double gflops = flops * ups / 1e9;
        return new UpdateResult(options.ObservationSize, options.ActionSize, [.. options.HiddenSizes], b, SimdPath.Active.ToString(),
            ups, ups * b, gflops, peak, gflops / peak, allocated, flops, calls, backend, device);
    }

    internal static int[]? ParseHidden(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        string[] parts = text.Split(',', StringSplitOptions.TrimEntries);
        var sizes = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], out sizes[i]) || sizes[i] <= 0) return null;
        return sizes;
    }

    private static float[] Fill(float[] values, Random random)
    {
        for (int i = 0; i < values.Length; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }

    private sealed record UpdateResult(int Obs, int Act, int[] Hidden, int Batch, string Simd, double UpdatesPerS,
        double TransitionsPerS, double Gflops, double PeakGflops, double FractionOfPeak, double AllocatedBytesPerUpdate,
        double FlopsPerUpdate, long Updates, string Backend, string Device);
}

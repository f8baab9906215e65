using System.CommandLine;
using System.Diagnostics;
using NafNative.Cli.Bench;
using NafNative.Cli.Training;
using NafNative.Learning;
using NafNative.Remote.Client;
using NafNative.Remote.Security;
using NafNative.Remote.Server;

namespace NafNative.Cli.Commands;

/// <summary><c>naf bench remote</c>: a learner in this process serving N naf worker processes over loopback gRPC,
/// beside the same learner with N in-process worker threads: remote inserts/s, the learner's updates/s, the snapshot
/// fan-out latency (publication → each worker has it / acts with it) and the latency of fetching the full parameter
/// snapshot while the workers run.</summary>
internal static class BenchRemoteCommand
{
    public sealed record Row(int Workers, string Mode, double InsertsPerS, double UpdatesPerS, double SnapshotFetchP50Ms, double SnapshotFetchP99Ms,
        FanOut.Result? FanOut = null);

    public static Command Create()
    {
        var workers = new Option<string>("--workers") { Description = "Comma-separated worker counts, e.g. 1,4,8.", DefaultValueFactory = _ => "1,4,8" };
        var task = new Option<string>("--task") { Description = "Task the workers run.", DefaultValueFactory = _ => "reach" };
        var seconds = CommonOptions.Seconds(10);
        var warmup = new Option<double>("--warmup") { Description = "Seconds before measuring (processes start, JIT, registration: 8 worker processes on 2 cores need about 10).", DefaultValueFactory = _ => 10 };
        var json = CommonOptions.Json();
        var command = new Command("remote", "Measure remote insert throughput and the learner's updates/s with N naf worker processes on loopback, beside N in-process workers.")
            { workers, task, seconds, warmup, json };
        command.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            try
            {
                var counts = parse.GetValue(workers)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                    .Select(s => int.TryParse(s, out int n) && n is >= 1 and <= 64 ? n : throw new ArgumentException($"--workers: '{s}' is not a count in [1, 64].")).ToArray();
                string taskName = parse.GetValue(task)!;
                Sim.TaskCatalog.Check(taskName);
                double measure = parse.GetValue(seconds), wait = parse.GetValue(warmup);
                var rows = new List<Row>();
                foreach (int n in counts)
                {
                    rows.Add(Measure(n, remote: true, taskName, wait, measure, stderr));
                    rows.Add(Measure(n, remote: false, taskName, wait, measure, stderr));
                }
                if (parse.GetValue(json))
                {
                    JsonOutput.Write(stdout, new { task = taskName, cpu = CommonOptions.CpuDescription(), seconds = measure, rows });
                    return 0;
                }
                stdout.WriteLine($"{taskName}, {CommonOptions.CpuDescription()}, {measure:F0} s each, learner unthrottled (updates_per_insert null), workers as fast as possible");
                stdout.WriteLine("workers  mode        inserts/s  learner updates/s  fan-out arrived p50/p99 ms  fan-out in use p50/p99 ms  snapshot fetch p50/p99 ms");
                foreach (var r in rows)
                    stdout.WriteLine($"{r.Workers,7}  {r.Mode,-10} {r.InsertsPerS,10:F0}  {r.UpdatesPerS,17:F0}  " +
                        (r.FanOut is { } f ? $"{f.ArrivedP50Ms,12:F1} / {f.ArrivedP99Ms,-12:F1}  {f.InUseP50Ms,11:F1} / {f.InUseP99Ms,-11:F1}  " : new string(' ', 54)) +
                        (double.IsNaN(r.SnapshotFetchP50Ms) ? "" : $"{r.SnapshotFetchP50Ms:F2} / {r.SnapshotFetchP99Ms:F2}"));
                stdout.WriteLine("fan-out: from a version's publication until each worker process has (arrived) and acts with (in use, at its next episode start) parameters at least that new");
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or IOException or InvalidOperationException)
            {
                stderr.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    private static Row Measure(int workers, bool remote, string task, double warmup, double seconds, TextWriter log)
    {
        string folder = Path.Combine(Path.GetTempPath(), $"naf-bench-remote-{Guid.NewGuid():N}");
        // No evaluation or checkpoint inside the measurement (evaluations are counted in steps by default: every 20,000).
        var config = new TrainConfig { Task = task, Workers = remote ? 0 : workers, UpdatesPerInsert = null, EvalEverySteps = null, EvalEverySeconds = 3600, CheckpointEverySeconds = 3600, MetricsEverySeconds = 0.5 };
        var token = new SharedToken(Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24)));
        PublicationRecorder? service = null;
        if (remote)
        {
            var settings = new Remote.Protocol.RunSettings { Noise = config.Noise, NoiseInitial = config.NoiseInitial, NoiseDecay = config.NoiseDecay, NoiseMinimum = config.NoiseMinimum, TimeScale = 1, Seed = 1 };
            settings.HiddenSizes.AddRange(config.Hidden);
            service = new PublicationRecorder(new LearnerServer(new LearnerServerOptions
            {
                Listen = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0), Token = token, Settings = settings, MaxWorkers = Math.Max(16, workers),
            }));
        }
        var samples = new List<(double Time, long Steps, long Updates)>();
        using var processes = new WorkerProcesses();
        var fetches = new List<double>();
        var logs = Enumerable.Range(0, remote ? workers : 0).Select(i => Path.Combine(folder, $"arrivals-{i}.csv")).ToArray();
        using var stop = new CancellationTokenSource();
        Thread? probe = null;
        long startNs = Remote.Client.SnapshotArrivals.Nanoseconds(Stopwatch.GetTimestamp());
        FanOut.Result? fanOut = null;
        try
        {
            Directory.CreateDirectory(folder);
            var session = new TrainingSession(config.TrainingOptions() with { Minutes = (warmup + seconds) / 60 }, new RunFolder(folder), Sim.TaskCatalog.Create, service);
            Exception? failure = null;
            var sessionThread = new Thread(() =>
            {
                try { session.Run(null, stop.Token, row => { lock (samples) samples.Add((row.WallSeconds, row.EnvSteps, row.Updates)); }); }
                catch (Exception e) { failure = e; }
            }) { IsBackground = true };
            sessionThread.Start();
            if (service is not null)
            {
                var clock = Stopwatch.StartNew();
                while (service.Server.Address is null && clock.Elapsed.TotalSeconds < 30) Thread.Sleep(10);
                string url = service.Server.Address ?? throw new InvalidOperationException("the learner service did not start within 30 s.");
                // A patient watchdog: on a shared 2-core machine a starved worker thread is not a stalled policy, and
                // a trip would end that worker in the middle of the measurement (the simulated task has no arm to stop).
                for (int i = 0; i < workers; i++) processes.Start(url, task, token, $"bench-{i}", "--snapshot-log", logs[i], "--watchdog-ms", "30000");
                probe = new Thread(() => Probe(url, token, task, warmup, fetches, stop.Token)) { IsBackground = true };
                probe.Start();
            }
            sessionThread.Join();
            long endNs = Remote.Client.SnapshotArrivals.Nanoseconds(Stopwatch.GetTimestamp());
            if (failure is not null) throw new InvalidOperationException($"bench remote: the learner failed: {failure.Message}", failure);
            if (service is not null)
            {
                // Each worker writes its snapshot log as it exits; versions of the last second may not have reached
                // every worker before the learner stopped, so the window ends a second early.
                var (early, clean) = processes.Stop(TimeSpan.FromSeconds(20));
                if (early > 0) throw new InvalidOperationException($"bench remote: {early} of {workers} naf worker processes exited before the end of the measurement.");
                fanOut = FanOut.Measure(service.Publications, logs, startNs + (long)(warmup * 1e9), endNs - 1_000_000_000);
                log.WriteLine($"bench remote: {workers} processes: {service.Publications.Count} versions recorded ({service.Missed} missed between polls), " +
                    $"{fanOut.Pairs} version×worker pairs, {fanOut.Unreached} not reached; {clean} of {workers} workers stopped cleanly");
            }
        }
        finally
        {
            stop.Cancel();
            processes.Dispose();
            probe?.Join(5000);
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
        // The window: the first sample after the warm-up to the last.
        var window = samples.Where(s => s.Time >= warmup).ToArray();
        if (window.Length < 2) throw new InvalidOperationException($"bench remote: too few metrics rows after the {warmup} s warm-up.");
        var (t0, s0, u0) = window[0];
        var (t1, s1, u1) = window[^1];
        double[] sorted;
        lock (fetches) sorted = [.. fetches.Order()];
        var row = new Row(workers, remote ? "processes" : "threads", (s1 - s0) / (t1 - t0), (u1 - u0) / (t1 - t0),
            sorted.Length == 0 ? double.NaN : sorted[sorted.Length / 2], sorted.Length == 0 ? double.NaN : sorted[(int)(sorted.Length * 0.99)], fanOut);
        log.WriteLine($"bench remote: {workers} {row.Mode}: {row.InsertsPerS:F0} inserts/s, {row.UpdatesPerS:F0} updates/s");
        return row;
    }

    // A worker-like client fetching the full parameters every 50 ms after the warm-up: the cost of the fan-out a
    // worker pays at each episode start while the others insert.
    private static void Probe(string url, SharedToken token, string task, double warmup, List<double> fetches, CancellationToken stop)
    {
        try
        {
            using var channel = RemoteChannel.Create(url);
            using var env = Sim.TaskCatalog.Create(task, 0);
            var connection = new LearnerConnection(channel, token, RemoteChannel.Describe(env, task, "probe"));
            connection.Register(stop);
            var clock = Stopwatch.StartNew();
            while (!stop.IsCancellationRequested)
            {
                var start = Stopwatch.GetTimestamp();
                connection.Snapshot(0, stop);
                double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                if (clock.Elapsed.TotalSeconds >= warmup) lock (fetches) fetches.Add(ms);
                stop.WaitHandle.WaitOne(50);
            }
        }
        catch (OperationCanceledException) { }
    }
}

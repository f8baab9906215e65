using System.CommandLine;
using NafNative.Cli.Robots;
using NafNative.Cli.Training;
using NafNative.Environments;
using NafNative.Hardware.Robots;
using NafNative.Remote.Client;
using NafNative.Remote.Security;
using NafNative.Sim;

namespace NafNative.Cli.Commands;

/// <summary><c>naf worker</c>: robot workers in this process that join a learner elsewhere (naf learner), on a
/// simulated task or on robots through their bus, safety filter and watchdog.</summary>
internal static class WorkerCommand
{
    public static Command Create()
    {
        var connect = new Option<string>("--connect") { Description = "The learner: http://HOST:PORT (plaintext) or https://HOST:PORT (TLS).", Required = true };
        var task = new Option<string>("--task") { Description = $"Task to run: {string.Join(", ", TaskCatalog.Names)} (the learner's).", DefaultValueFactory = _ => "reach" };
        var workers = new Option<int>("--workers") { Description = "Worker threads in this process (one environment each).", DefaultValueFactory = _ => 1 };
        var robots = new Option<string[]>("--robot") { Description = "A robot file: one worker drives that arm through its bus, safety filter and watchdog (repeat for more robots; not with --workers)." };
        var robotTimeScale = RunCommand.RobotTimeScale();
        var name = new Option<string?>("--name") { Description = "Name in the learner's logs and metrics (default: this host's name); worker i adds /i." };
        var tokenFile = new Option<string?>("--token-file") { Description = $"File holding the learner's shared token (else {SharedToken.EnvironmentVariable})." };
        var tlsCa = new Option<string?>("--tls-ca") { Description = "PEM certificate(s) to trust for the learner (its self-signed certificate or its CA) instead of the system's." };
        var minutes = new Option<double?>("--minutes") { Description = "Stop after this many minutes (default: until Ctrl-C or SIGTERM)." };
        var watchdogMs = new Option<double?>("--watchdog-ms") { Description = "Longest gap between two commands before a worker's watchdog stops its arm and the worker (default: as in naf train, 4 control periods and at least 1000)." };
        var snapshotLog = new Option<string?>("--snapshot-log") { Description = "At exit, write a CSV of when each parameter snapshot arrived and was first used (Stopwatch clock, ns; comparable with a learner on the same machine)." };
        var command = new Command("worker", "Run robot workers that register with a learner over gRPC, take its newest policy each episode and send their experience; on robots, the arm is held at rest while the learner is away.")
            { connect, task, workers, robots, robotTimeScale, name, tokenFile, tlsCa, minutes, watchdogMs, snapshotLog };
        command.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            try
            {
                string[] robotFiles = parse.GetValue(robots) ?? [];
                int count = robotFiles.Length > 0 ? robotFiles.Length : parse.GetValue(workers);
                if (robotFiles.Length > 0 && parse.GetResult(workers) is { Implicit: false })
                    throw new ArgumentException("--workers counts simulated workers; with --robot each robot file is one worker: give one or the other.");
                if (count is < 1 or > 256) throw new ArgumentException($"--workers must be in [1, 256], got {count}.");
                string taskName = parse.GetValue(task)!;
                if (robotFiles.Length > 0 && parse.GetResult(task) is { Implicit: false } && taskName != "reach")
                    throw new ArgumentException($"--task {taskName}: a robot worker runs its robot file's task (reach); leave --task out.");
                if (robotFiles.Length == 0) TaskCatalog.Check(taskName);
                else taskName = "reach";
                if (parse.GetValue(minutes) is double m && !(double.IsFinite(m) && m > 0)) throw new ArgumentException($"--minutes must be positive, got {m}.");
                TimeSpan? watchdog = parse.GetValue(watchdogMs) is double ms
                    ? ms is >= 1 and <= 600_000 ? TimeSpan.FromMilliseconds(ms) : throw new ArgumentException($"--watchdog-ms must be in [1, 600000], got {ms}.")
                    : null;
                var token = SharedToken.Load(parse.GetValue(tokenFile));
                string url = parse.GetValue(connect)!;
                using var channel = RemoteChannel.Create(url, parse.GetValue(tlsCa));
                if (!url.StartsWith("https:", StringComparison.OrdinalIgnoreCase) && !RemoteChannel.IsLoopback(url))
                    stderr.WriteLine($"warning: {url} is plaintext and not loopback: the token and the experience travel in the clear (use https and --tls-ca).");
                // Every robot file is checked before any robot is opened.
                var descriptions = robotFiles.Select(RobotSetup.Load).ToArray();
                string baseName = parse.GetValue(name) ?? Environment.MachineName;
                string? logPath = parse.GetValue(snapshotLog);
                using var interrupt = new CtrlC();
                using var budget = parse.GetValue(minutes) is double limit ? new CancellationTokenSource(TimeSpan.FromMinutes(limit)) : new CancellationTokenSource();
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(interrupt.Token, budget.Token);
                void Log(string line) { lock (stderr) stderr.WriteLine($"worker: {line}"); }

                var envs = new IEnvironment[count];
                var remote = new RemoteWorker[count];
                RemoteWorkerHost? host = null;
                try
                {
                    for (int i = 0; i < count; i++)
                        envs[i] = descriptions.Length > 0 ? RobotSetup.OpenReach(descriptions[i], parse.GetValue(robotTimeScale)) : TaskCatalog.Create(taskName, i);
                    var runner = host = new RemoteWorkerHost(remote, envs);
                    for (int i = 0; i < count; i++)
                    {
                        string workerName = count == 1 ? baseName : $"{baseName}/{i}";
                        var connection = new LearnerConnection(channel, token, RemoteChannel.Describe(envs[i], taskName, workerName), Log);
                        int index = i;
                        remote[i] = new RemoteWorker(envs[i], connection, Log)
                        {
                            Arrivals = logPath is null ? null : new SnapshotArrivals(),
                            WatchdogPeriod = watchdog,
                            OnWatchdogTrip = e => runner.Fail(index, e, stop),
                        };
                    }
                    stderr.WriteLine(descriptions.Length > 0
                        ? $"naf worker: {string.Join(", ", descriptions.Select(d => $"robot {d.Name} on {d.Port}"))} → {url}"
                        : $"naf worker: {count} × {taskName} → {url}");
                    runner.Run(stop);
                }
                finally
                {
                    // Only what the host did not dispose (it was never started: a robot failed to open).
                    if (host is null) foreach (var e in envs) e?.Dispose();
                }
                if (logPath is not null) WriteArrivals(logPath, remote);
                long steps = remote.Sum(w => w.Steps), episodes = remote.Sum(w => w.Episodes);
                long acked = remote.Sum(w => w.AcknowledgedTransitions), duplicates = remote.Sum(w => w.DuplicateBatches);
                int registrations = remote.Sum(w => w.Connection.Registrations);
                long retries = remote.Sum(w => w.Connection.Retries);
                stdout.WriteLine($"worker: {episodes} episodes, {steps} env steps, {acked} transitions acknowledged, {duplicates} duplicate batches, " +
                    $"{registrations} registrations, {retries} retried calls, {remote.Sum(w => w.Holds)} holds for the learner " +
                    $"({remote.Sum(w => w.HeldFor.TotalSeconds):F1} s, {remote.Sum(w => w.InterruptedEpisodes)} episodes ended early)");
                foreach (string stuck in host.Stuck) stderr.WriteLine($"error: worker {stuck} did not stop within {RemoteWorkerHost.StopTimeout.TotalSeconds:F0} s");
                if (host.Failure is Exception failure)
                {
                    stderr.WriteLine($"error: {failure.Message}");
                    // A safety stop (a robot's, or the worker's own watchdog) is exit 3, as in naf train and naf run.
                    return failure is RobotStoppedException or TimeoutException ? 3 : 1;
                }
                if (host.Stuck.Count > 0) return 1;
                return interrupt.ExitCode ?? 0;
            }
            catch (RobotStoppedException e)
            {
                stderr.WriteLine($"error: {e.Message}");
                return 3;
            }
            catch (Exception e) when (e is ArgumentException or IOException or InvalidOperationException or InvalidDataException
                or TimeoutException or PlatformNotSupportedException or Sim.Mujoco.MujocoUnavailableException)
            {
                stderr.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    private static void WriteArrivals(string path, RemoteWorker[] workers)
    {
        using var writer = new StreamWriter(path);
        writer.WriteLine(SnapshotArrivals.CsvHeader);
        foreach (var w in workers) w.Arrivals?.WriteCsv(writer, w.Connection.Name);
    }
}

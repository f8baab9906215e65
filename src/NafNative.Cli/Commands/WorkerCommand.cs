using System.CommandLine;
using NafNative.Cli.Training;
using NafNative.Environments;
using NafNative.Remote.Client;
using NafNative.Remote.Security;
using NafNative.Sim;

namespace NafNative.Cli.Commands;

/// <summary><c>naf worker</c>: robot workers in this process that join a learner elsewhere (naf learner).</summary>
internal static class WorkerCommand
{
    public static Command Create()
    {
        var connect = new Option<string>("--connect") { Description = "The learner: http://HOST:PORT (plaintext) or https://HOST:PORT (TLS).", Required = true };
        var task = new Option<string>("--task") { Description = $"Task to run: {string.Join(", ", TaskCatalog.Names)} (the learner's).", DefaultValueFactory = _ => "reach" };
        var workers = new Option<int>("--workers") { Description = "Worker threads in this process (one environment each).", DefaultValueFactory = _ => 1 };
        var name = new Option<string?>("--name") { Description = "Name in the learner's logs and metrics (default: this host's name); worker i adds /i." };
        var tokenFile = new Option<string?>("--token-file") { Description = $"File holding the learner's shared token (else {SharedToken.EnvironmentVariable})." };
        var tlsCa = new Option<string?>("--tls-ca") { Description = "PEM certificate(s) to trust for the learner (its self-signed certificate or its CA) instead of the system's." };
        var minutes = new Option<double?>("--minutes") { Description = "Stop after this many minutes (default: until Ctrl-C or SIGTERM)." };
        var command = new Command("worker", "Run robot workers that register with a learner over gRPC, take its newest policy each episode and send their experience.")
            { connect, task, workers, name, tokenFile, tlsCa, minutes };
        command.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            try
            {
                int count = parse.GetValue(workers);
                if (count is < 1 or > 256) throw new ArgumentException($"--workers must be in [1, 256], got {count}.");
                string taskName = parse.GetValue(task)!;
                TaskCatalog.Check(taskName);
                if (parse.GetValue(minutes) is double m && !(double.IsFinite(m) && m > 0)) throw new ArgumentException($"--minutes must be positive, got {m}.");
                var token = SharedToken.Load(parse.GetValue(tokenFile));
                string url = parse.GetValue(connect)!;
                using var channel = RemoteChannel.Create(url, parse.GetValue(tlsCa));
                if (!url.StartsWith("https:", StringComparison.OrdinalIgnoreCase) && !RemoteChannel.IsLoopback(url))
                    stderr.WriteLine($"warning: {url} is plaintext and not loopback: the token and the experience travel in the clear (use https and --tls-ca).");
                string baseName = parse.GetValue(name) ?? Environment.MachineName;
                using var interrupt = new CtrlC();
                using var budget = parse.GetValue(minutes) is double limit ? new CancellationTokenSource(TimeSpan.FromMinutes(limit)) : new CancellationTokenSource();
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(interrupt.Token, budget.Token);
                void Log(string line) { lock (stderr) stderr.WriteLine($"worker: {line}"); }

                var envs = new IEnvironment[count];
                var remote = new RemoteWorker[count];
                var failures = new Exception?[count];
                var threads = new Thread[count];
                try
                {
                    for (int i = 0; i < count; i++)
                    {
                        envs[i] = TaskCatalog.Create(taskName, i);
                        string workerName = count == 1 ? baseName : $"{baseName}/{i}";
                        var connection = new LearnerConnection(channel, token, RemoteChannel.Describe(envs[i], taskName, workerName), Log);
                        remote[i] = new RemoteWorker(envs[i], connection, Log);
                    }
                    stderr.WriteLine($"naf worker: {count} × {taskName} → {url}");
                    for (int i = 0; i < count; i++)
                    {
                        int index = i;
                        threads[i] = new Thread(() =>
                        {
                            try { remote[index].Run(stop.Token); }
                            catch (Exception e) { failures[index] = e; stop.Cancel(); }
                        }) { IsBackground = true, Name = $"naf remote worker {i}" };
                        threads[i].Start();
                    }
                    foreach (var t in threads) t.Join();
                }
                finally
                {
                    foreach (var e in envs) e?.Dispose();
                }
                long steps = remote.Sum(w => w?.Steps ?? 0), episodes = remote.Sum(w => w?.Episodes ?? 0);
                long acked = remote.Sum(w => w?.AcknowledgedTransitions ?? 0), duplicates = remote.Sum(w => w?.DuplicateBatches ?? 0);
                int registrations = remote.Sum(w => w?.Connection.Registrations ?? 0);
                long retries = remote.Sum(w => w?.Connection.Retries ?? 0);
                stdout.WriteLine($"worker: {episodes} episodes, {steps} env steps, {acked} transitions acknowledged, {duplicates} duplicate batches, " +
                    $"{registrations} registrations, {retries} retried calls");
                if (failures.FirstOrDefault(f => f is not null) is Exception failure)
                {
                    stderr.WriteLine($"error: {failure.Message}");
                    return 1;
                }
                return interrupt.ExitCode ?? 0;
            }
            catch (Exception e) when (e is ArgumentException or IOException or InvalidOperationException or Sim.Mujoco.MujocoUnavailableException)
            {
                stderr.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }
}

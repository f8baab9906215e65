using System.CommandLine;
using System.Text.Json.Nodes;
using NafNative.Cli.Training;
using NafNative.Naf;
using NafNative.Naf.Gpu;
using NafNative.Sim;

namespace NafNative.Cli.Commands;

/// <summary><c>naf train</c>: asynchronous NAF on a simulated task, into a run directory; with <c>--listen</c> (and
/// as <c>naf learner</c>, whose default is no worker threads) it also serves remote workers over gRPC.</summary>
internal static class TrainCommand
{
    public static Command Create() => Create(learner: false);

    /// <summary>The command; <paramref name="learner"/>: <c>naf learner</c> (always listening, 0 worker threads unless
    /// --workers says otherwise).</summary>
    public static Command Create(bool learner)
    {
        var task = new Option<string>("--task") { Description = $"Task to train: {string.Join(", ", TaskCatalog.Names)}.", DefaultValueFactory = _ => "reach" };
        var workers = new Option<int>("--workers") { Description = "Robot worker threads (one environment each).", DefaultValueFactory = _ => 2 };
        var minutes = new Option<double?>("--minutes") { Description = "Stop after this many minutes of wall time." };
        var steps = new Option<long?>("--steps") { Description = "Stop after this many environment steps (all workers)." };
        var seed = new Option<int>("--seed") { Description = "Seed for parameters, exploration and episodes.", DefaultValueFactory = _ => 1 };
        var output = new Option<string?>("--out") { Description = "Run folder (default runs/<task>__naf__<seed>__<unixtime>)." };
        var resume = new Option<bool>("--resume") { Description = "Continue the run in --out from its checkpoint." };
        var replace = new Option<bool>("--replace") { Description = "Start the run in --out over, deleting the files an earlier run wrote there." };
        var config = new Option<string?>("--config") { Description = "JSON file of settings (snake_case keys, as in a run's config.json)." };
        var pacing = new Option<string?>("--pacing") { Description = "as-fast-as-possible (default) or real-time." };
        var backend = CommonOptions.Backend();
        var robots = new Option<string[]>("--robot") { Description = "A robot file: one worker drives that arm through its bus (repeat for more robots; further --workers run the simulated task)." };
        var robotTimeScale = RunCommand.RobotTimeScale();
        var variation = new Option<string?>("--variation") { Description = "How the simulated robots differ: none, mild or strong (ranges in README; a config's variation object sets them field by field)." };
        var remote = new LearnerOptionsCli(learner);
        var command = new Command(learner ? "learner" : "train", learner
            ? "Run the learner (replay, updates, periodic evaluation) as a gRPC service that remote workers (naf worker) join."
            : "Train NAF with one learner thread and N robot workers on a simulated task or real (or simulated-hardware) arms.")
            { task, workers, minutes, steps, seed, output, resume, replace, config, pacing, backend, robots, robotTimeScale, variation };
        remote.AddTo(command);
        command.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            try
            {
                var flags = new JsonObject();
                void Flag<T>(Option<T> option, string key)
                {
                    if (parse.GetResult(option) is { Implicit: false } && parse.GetValue(option) is T value)
                        flags[key] = JsonValue.Create(value);
                }
                Flag(task, "task"); Flag(workers, "workers"); Flag(minutes, "minutes"); Flag(steps, "steps");
                Flag(seed, "seed"); Flag(pacing, "pacing"); Flag(backend, "backend"); Flag(robotTimeScale, "robot_time_scale");
                if (parse.GetValue(variation) is string preset) flags["variation"] = new JsonObject { ["preset"] = preset };
                if (parse.GetValue(robots) is { Length: > 0 } robotFiles)
                {
                    flags["robots"] = new JsonArray([.. robotFiles.Select(f => JsonValue.Create(Path.GetFullPath(f)))]);
                    if (parse.GetResult(workers) is not { Implicit: false }) flags["workers"] = robotFiles.Length;
                }
                if (learner && parse.GetResult(workers) is not { Implicit: false } && !flags.ContainsKey("workers")) flags["workers"] = 0;
                // Built (token read, certificate loaded) before a run folder is made, so a bad setting leaves nothing behind.
                using var server = remote.Build(parse, stderr);

                RunDirectory run;
                TrainConfig resolved;
                NafTrainer? trainer = null;
                string? outPath = parse.GetValue(output);
                if (parse.GetValue(resume) && parse.GetValue(replace))
                    throw new ArgumentException("--resume continues a run and --replace starts it over: give one of them.");
                if (parse.GetValue(resume))
                {
                    if (outPath is null) throw new ArgumentException("--resume needs --out <run folder> to say which run to continue.");
                    run = RunDirectory.Open(outPath);
                    resolved = Resolve(run.ReadConfig(), parse.GetValue(config), flags, server is not null);
                    if (!File.Exists(run.CheckpointPath)) throw new ArgumentException($"--resume: {run.CheckpointPath} does not exist.");
                    trainer = NafCheckpoint.Load(run.CheckpointPath);
                    run.WriteConfig(resolved);
                }
                else
                {
                    resolved = Resolve(new TrainConfig(), parse.GetValue(config), flags, server is not null);
                    if (resolved.Minutes is null && resolved.Steps is null)
                        throw new ArgumentException("naf train needs a budget: --minutes M or --steps S (or minutes/steps in --config).");
                    run = RunDirectory.CreateNew(outPath, resolved, parse.GetValue(replace));
                }

                run.WriteRobots(resolved.SimulatedRobots());
                using (var interrupt = new CtrlC())
                {
                    server?.Configure(resolved);
                    stderr.WriteLine($"naf {command.Name}: {resolved.Task}, {resolved.Workers} workers{(server is null ? "" : $" + up to {server.Server.Slots} remote")}, backend {resolved.Backend}, run folder {run.Path}");
                    // Robots are loaded (and their files validated) before any is opened; the training session opens them.
                    var robotDescriptions = resolved.Robots.Select(Robots.RobotSetup.Load).ToArray();
                    Func<string, int, NafNative.Environments.IEnvironment> createTask = (name, worker) => worker >= 0 && worker < robotDescriptions.Length
                        ? Robots.RobotSetup.OpenReach(robotDescriptions[worker], resolved.RobotTimeScale)
                        : resolved.CreateSimulatedTask(name, worker);
                    // Live table only when stderr is this process's own terminal (not a test's writer, pipe or log).
                    bool interactive = ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected;
                    var result = LiveProgress.Run(stderr, interactive, $"naf {command.Name} {resolved.Task}",
                        show => SessionRunner.Run(resolved, run, createTask, trainer, interrupt.Token, show, message => stderr.WriteLine($"warning: {message}"), server?.Server),
                        server is null ? null : () => server.Server.Workers);
                    var summary = result.Session;
                    string ending = interrupt.SignalName is string signal ? $"interrupted by {signal}" : summary.Interrupted ? "interrupted" : "finished";
                    stdout.WriteLine($"{ending}: {summary.EnvSteps} env steps, " +
                        $"{summary.TotalUpdates} updates in {summary.Metrics.ElapsedSeconds:F0} s; " +
                        $"recent success {summary.Metrics.RecentSuccessRate:P0}, mean return {summary.Metrics.MeanRecentReturn:F2}");
                    if (summary.Restored is { } restored)
                        stdout.WriteLine($"resumed:    from {restored.Updates} updates, {restored.EnvSteps} env steps and {restored.Count} replay transitions");
                    stdout.WriteLine($"backend:    {result.Backend}");
                    stdout.WriteLine($"run:        {summary.RunPath}");
                    stdout.WriteLine($"checkpoint: {summary.CheckpointPath} (latest)");
                    stdout.WriteLine(double.IsFinite(summary.BestEvalSuccess)
                        ? $"best:       {summary.BestCheckpointPath} (greedy eval success {summary.BestEvalSuccess:P0})"
                        : "best:       (none kept yet: no evaluation has run)");
                    stdout.WriteLine($"curves:     {result.CurveTimePath}, {result.CurveStepsPath}");
                    // The conventional code of a process stopped by a signal (128 + its number), now that the run
                    // stopped itself cleanly and its checkpoint is on disk.
                    if (interrupt.ExitCode is int code) return code;
                }
                return 0;
            }
            catch (Exception e) when (e is NafNative.Hardware.Robots.RobotStoppedException || e.InnerException is NafNative.Hardware.Robots.RobotStoppedException)
            {
                // A robot's control loop made a safety stop: the run stopped with it (its checkpoint is kept).
                stderr.WriteLine($"error: {e.Message}");
                return 3;
            }
            catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException or InvalidOperationException
                or InsufficientMemoryException or TimeoutException)
            {
                stderr.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    private static TrainConfig Resolve(TrainConfig baseline, string? configPath, JsonObject flags, bool remoteWorkers = false)
    {
        var layers = new List<(string, JsonObject)>();
        if (configPath is not null) layers.Add(($"config {configPath}", TrainConfig.ReadFile(configPath)));
        layers.Add(("command line", flags));
        var config = TrainConfig.Merge(baseline, layers);
        config.Validate(remoteWorkers);
        // An explicit CUDA request without a CUDA device fails here, before a run folder is made; never a fallback.
        if (config.Backend == "gpu" && !GpuAccelerators.CudaAvailable())
            throw new ArgumentException("config field 'backend': 'gpu' needs a CUDA device and ILGPU found none (see `naf devices`); " +
                "use backend cpu, gpu-cpuaccel (ILGPU's CPU accelerator) or auto.");
        return config;
    }
}

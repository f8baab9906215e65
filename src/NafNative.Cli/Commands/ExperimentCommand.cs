using System.CommandLine;
using System.Globalization;
using NafNative.Cli.Training;
using NafNative.Sim;

namespace NafNative.Cli.Commands;

/// <summary><c>naf experiment workers</c>: the original work's scaling question — does doubling the robots halve the
/// time to success, and where does the single learner saturate?</summary>
internal static class ExperimentCommand
{
    public static Command Create()
    {
        var experiment = new Command("experiment", "Reproducible experiments over several training runs.");
        experiment.Subcommands.Add(CreateWorkers());
        experiment.Subcommands.Add(ExperimentSeedsCommand.Create());
        experiment.Subcommands.Add(ExperimentRobotsCommand.Create());
        return experiment;
    }

    private static Command CreateWorkers()
    {
        var task = new Option<string>("--task") { Description = $"Task: {string.Join(", ", TaskCatalog.Names)}.", DefaultValueFactory = _ => "reach" };
        var workers = new Option<string>("--workers") { Description = "Worker counts to compare, comma-separated.", DefaultValueFactory = _ => "1,2,4,8" };
        var minutes = new Option<double>("--minutes") { Description = "Wall-clock minutes per run.", DefaultValueFactory = _ => 2 };
        var timeScale = new Option<double>("--time-scale") { Description = "Task clock speed-up under real-time pacing (1 = true real time).", DefaultValueFactory = _ => 1 };
        var target = new Option<double>("--target-success") { Description = "Greedy eval success rate that counts as solved.", DefaultValueFactory = _ => 0.95 };
        var seed = new Option<int>("--seed") { Description = "Seed of every run.", DefaultValueFactory = _ => 1 };
        var output = new Option<string?>("--out") { Description = "Experiment folder (default runs/experiment-workers__<task>__<unixtime>)." };
        var config = new Option<string?>("--config") { Description = "JSON settings applied to every run (as naf train --config)." };
        var command = new Command("workers",
            "Train with 1, 2, 4, 8 … real-time-paced workers and a learner updating as fast as it can; write workers.csv and workers.png.")
            { task, workers, minutes, timeScale, target, seed, output, config };
        command.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            try
            {
                int[] counts = ParseCounts(parse.GetValue(workers)!);
                double targetSuccess = CheckTarget(parse.GetValue(target));
                string root = Path.GetFullPath(parse.GetValue(output)
                    ?? Path.Combine("runs", $"experiment-workers__{parse.GetValue(task)}__{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}"));
                var file = parse.GetValue(config) is string c ? TrainConfig.ReadFile(c) : new System.Text.Json.Nodes.JsonObject();
                var configs = counts.Select(n => TrainConfig.Merge(new TrainConfig(), [("--config", file), ("experiment", new()
                {
                    ["task"] = parse.GetValue(task), ["workers"] = n, ["minutes"] = parse.GetValue(minutes), ["seed"] = parse.GetValue(seed),
                    ["pacing"] = "real-time", ["time_scale"] = parse.GetValue(timeScale), ["updates_per_insert"] = null,
                })])).ToArray();
                foreach (var cfg in configs) cfg.Validate();   // every run's settings are checked before the first starts

                Directory.CreateDirectory(root);
                var results = new List<WorkerScalingRow>();
                using (var interrupt = new CtrlC())
                {
                    foreach (var cfg in configs)
                    {
                        if (interrupt.Token.IsCancellationRequested) break;
                        stderr.WriteLine($"naf experiment workers: {cfg.Workers} worker(s), {cfg.Minutes} min, time scale {cfg.TimeScale}");
                        var (run, summary) = SessionRunner.RunExperiment(cfg, Path.Combine(root, $"workers-{cfg.Workers}"), replace: false, stderr, interrupt.Token);
                        results.Add(WorkerScalingRow.From(cfg, run, summary, targetSuccess));
                    }
                }
                string csv = Path.Combine(root, "workers.csv");
                File.WriteAllLines(csv, [WorkerScalingRow.Header, .. results.Select(r => r.ToCsv())]);
                string png = WorkerScalingRow.Plot(root, results, targetSuccess);
                stdout.WriteLine(WorkerScalingRow.Header);
                foreach (var r in results) stdout.WriteLine(r.ToCsv());
                stdout.WriteLine($"table: {csv}");
                stdout.WriteLine($"plot:  {png}");
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException or InvalidOperationException)
            {
                stderr.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    /// <summary>Comma-separated counts such as 1,2,4,8 for <paramref name="option"/>, each in [1, <paramref name="max"/>].</summary>
    internal static int[] ParseCounts(string text, string option = "--workers", int max = int.MaxValue)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var counts = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out counts[i]) || counts[i] < 1 || counts[i] > max)
                throw new ArgumentException($"{option} must be comma-separated positive integers{(max < int.MaxValue ? $" up to {max}" : "")} such as 1,2,4,8; got '{text}'.");
        return counts.Length > 0 ? counts : throw new ArgumentException($"{option} needs at least one count.");
    }

    /// <summary>The --target-success value, checked.</summary>
    internal static double CheckTarget(double target) =>
        target is > 0 and <= 1 ? target : throw new ArgumentException($"--target-success must be in (0, 1], got {target}.");
}

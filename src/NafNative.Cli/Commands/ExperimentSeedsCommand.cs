using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using NafNative.Cli.Training;
using NafNative.Learning;
using NafNative.Sim;

namespace NafNative.Cli.Commands;

/// <summary><c>naf experiment seeds</c>: the same training over several seeds, one after another (a small machine
/// has no cores to spare for parallel runs), so a result is reported with its spread rather than one lucky seed.</summary>
internal static class ExperimentSeedsCommand
{
    public static Command Create()
    {
        var task = new Option<string>("--task") { Description = $"Task: {string.Join(", ", TaskCatalog.Names)}.", DefaultValueFactory = _ => "reach" };
        var seeds = new Option<string>("--seeds") { Description = "Seeds: a range 1-5, a list 1,2,7, or both (1-3,9).", DefaultValueFactory = _ => "1-5" };
        var steps = new Option<long?>("--steps") { Description = "Environment steps per run (all workers)." };
        var minutes = new Option<double?>("--minutes") { Description = "Wall-clock minutes per run (machine-dependent: prefer --steps)." };
        var workers = new Option<int?>("--workers") { Description = "Workers per run (default: the config's, else 2)." };
        var target = new Option<double>("--target-success") { Description = "Greedy success rate that counts as solved.", DefaultValueFactory = _ => 0.95 };
        var episodes = CommonOptions.PositiveInt("--episodes", "Greedy episodes of the final evaluations of best.naf and the last checkpoint (as naf eval).", 20);
        var output = new Option<string?>("--out") { Description = "Experiment folder (default runs/experiment-seeds__<task>__<unixtime>)." };
        var config = new Option<string?>("--config") { Description = "JSON settings applied to every run (as naf train --config)." };
        var command = new Command("seeds",
            "Train one task on several seeds in turn; write seeds.csv, curves.csv, summary.md and the spread of success against steps and wall time.")
            { task, seeds, steps, minutes, workers, target, episodes, output, config };
        command.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            try
            {
                int[] seedList = ParseSeeds(parse.GetValue(seeds)!);
                double targetSuccess = ExperimentCommand.CheckTarget(parse.GetValue(target));
                string taskName = parse.GetValue(task)!;
                var file = parse.GetValue(config) is string c ? TrainConfig.ReadFile(c) : new JsonObject();
                var flags = new JsonObject { ["task"] = taskName };
                if (parse.GetValue(steps) is long s) flags["steps"] = s;
                if (parse.GetValue(minutes) is double m) flags["minutes"] = m;
                if (parse.GetValue(workers) is int w) flags["workers"] = w;
                var configs = seedList.Select(seed =>
                {
                    var layer = (JsonObject)flags.DeepClone();
                    layer["seed"] = seed;
                    return TrainConfig.Merge(new TrainConfig(), [("--config", file), ("command line", layer)]);
                }).ToArray();
                foreach (var cfg in configs)
                {
                    cfg.Validate(); // every run's settings are checked before the first starts
                    if (cfg.Minutes is null && cfg.Steps is null)
                        throw new ArgumentException("naf experiment seeds needs a budget per run: --steps S (or --minutes M, or steps in --config).");
                }
                string root = Path.GetFullPath(parse.GetValue(output)
                    ?? Path.Combine("runs", $"experiment-seeds__{taskName}__{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}"));
                Directory.CreateDirectory(root);

                int evalEpisodes = parse.GetValue(episodes);
                var rows = new List<SeedRow>();
                using (var interrupt = new CtrlC())
                {
                    foreach (var cfg in configs)
                    {
                        if (interrupt.Token.IsCancellationRequested) break;
                        stderr.WriteLine($"naf experiment seeds: {cfg.Task}, seed {cfg.Seed}, " +
                            (cfg.Steps is long budget ? $"{budget} env steps" : $"{cfg.Minutes} min") + $", {cfg.Workers} workers");
                        var (run, summary) = SessionRunner.RunExperiment(cfg, Path.Combine(root, $"seed-{cfg.Seed}"), replace: true, stderr, interrupt.Token);
                        if (summary.Interrupted) break;
                        double best = Evaluate(cfg.Task, run.Path, "best", evalEpisodes);
                        double final = Evaluate(cfg.Task, run.Path, "latest", evalEpisodes);
                        var row = SeedRow.From(cfg.Seed, run, summary, targetSuccess, best, final, evalEpisodes);
                        rows.Add(row);
                        stderr.WriteLine($"seed {cfg.Seed}: best.naf {best:P0}, final {final:P0}, first ≥ {targetSuccess:P0} at " +
                            (row.StepsToTarget is long hit ? $"{hit} env steps" : "— (not reached)"));
                    }
                }
                string csv = Path.Combine(root, "seeds.csv");
                File.WriteAllLines(csv, [SeedRow.Header, .. rows.Select(r => r.ToCsv())]);
                string curves = Path.Combine(root, "curves.csv");
                File.WriteAllLines(curves, ["seed,wall_seconds,env_steps,success_rate",
                    .. rows.SelectMany(r => r.Evals.Select(e => string.Join(',', r.Seed, e.Wall.ToString("G6", CultureInfo.InvariantCulture),
                        e.Steps, e.Success.ToString("G6", CultureInfo.InvariantCulture))))]);
                string[] table = [.. SeedRow.Markdown(rows, targetSuccess)];
                string md = Path.Combine(root, "summary.md");
                File.WriteAllLines(md, table);
                var (stepsPng, timePng) = SeedSpreadPlot.Write(root, $"NAF on {taskName}", rows, targetSuccess);
                foreach (string line in table) stdout.WriteLine(line);
                stdout.WriteLine($"table:  {csv}, {md}");
                stdout.WriteLine($"curves: {curves}");
                stdout.WriteLine($"plots:  {stepsPng}, {timePng}");
                stdout.WriteLine($"cpu:    {TrainingSession.CpuDescription()}");
                return rows.Count == configs.Length ? 0 : 130;
            }
            catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException or InvalidOperationException)
            {
                stderr.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    // As naf eval does it: seed offset 0, the task's own environment (index 0).
    private static double Evaluate(string task, string runPath, string which, int episodes)
    {
        var (trainer, checkpoint) = RunCommand.LoadPolicy(runPath, which);
        using var environment = TaskCatalog.Create(task, 0);
        RunCommand.CheckFits(trainer, environment, checkpoint);
        return Evaluation.Run(environment, trainer.Network, trainer.Online.Values, episodes, seed: 0).SuccessRate;
    }

    /// <summary>"1-5", "1,2,7" or "1-3,9" → distinct seeds in the order given.</summary>
    internal static int[] ParseSeeds(string text)
    {
        var seeds = new List<int>();
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            string[] ends = part.Split('-', StringSplitOptions.TrimEntries);
            if (ends.Length is < 1 or > 2 || !ends.All(e => int.TryParse(e, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
                throw new ArgumentException($"--seeds must be ranges like 1-5 or lists like 1,2,7 of non-negative integers; got '{text}'.");
            int from = int.Parse(ends[0], CultureInfo.InvariantCulture), to = int.Parse(ends[^1], CultureInfo.InvariantCulture);
            if (to < from) throw new ArgumentException($"--seeds: the range '{part}' runs backwards.");
            if (to - from >= 1000) throw new ArgumentException($"--seeds: the range '{part}' holds more than 1000 seeds.");
            for (int seed = from; seed <= to; seed++)
                if (!seeds.Contains(seed)) seeds.Add(seed);
        }
        return seeds.Count > 0 ? [.. seeds] : throw new ArgumentException("--seeds needs at least one seed.");
    }
}

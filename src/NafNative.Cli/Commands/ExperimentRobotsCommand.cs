using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using NafNative.Cli.Training;
using NafNative.Learning;
using NafNative.Sim;

namespace NafNative.Cli.Commands;

/// <summary><c>naf experiment robots</c>: the original work's question with robots that differ — with 1, 2, 4 …
/// slightly different robots on the same step budget per robot, how fast does one policy reach the target, and how
/// well does it do on each robot and on robots none of them was?</summary>
internal static class ExperimentRobotsCommand
{
    public static Command Create()
    {
        var task = new Option<string>("--task") { Description = "An arm task: reach, door-push, door-pull, pick-place.", DefaultValueFactory = _ => "door-push" };
        var robots = new Option<string>("--robots") { Description = "Robot counts to compare, comma-separated.", DefaultValueFactory = _ => "1,2,4" };
        var variation = new Option<string>("--variation") { Description = "How the robots differ: none, mild or strong.", DefaultValueFactory = _ => "mild" };
        var stepsPerRobot = new Option<long>("--steps-per-robot") { Description = "Environment steps each robot takes per run.", DefaultValueFactory = _ => 100_000 };
        var seeds = new Option<string>("--seeds") { Description = "Seeds (1-3, or 1,2,7).", DefaultValueFactory = _ => "1" };
        var target = new Option<double>("--target-success") { Description = "Greedy success rate that counts as solved.", DefaultValueFactory = _ => 0.95 };
        var episodes = CommonOptions.PositiveInt("--episodes", "Greedy episodes per robot in the final evaluations.", 20);
        var heldOut = new Option<int>("--held-out") { Description = "Robots drawn from the same ranges that no run trained on.", DefaultValueFactory = _ => 2 };
        var output = new Option<string?>("--out") { Description = "Experiment folder (default runs/experiment-robots__<task>__<unixtime>)." };
        var config = new Option<string?>("--config") { Description = "JSON settings applied to every run (as naf train --config)." };
        var reuse = new Option<bool>("--reuse")
            { Description = "Keep the runs in --out that already finished with these settings (budget spent, best.naf there) and train only the others." };
        var suites = new Option<string?>("--suites")
            { Description = "Also evaluate each run's best.naf at every variant of these suites (comma-separated, e.g. doors-5,doors-held-out): variants.md." };
        var command = new Command("robots",
            "Train with 1, 2, 4 … differing robots on the same steps per robot; write robots.csv, generalisation.md and robots.png.")
            { task, robots, variation, stepsPerRobot, seeds, target, episodes, heldOut, output, config, suites, reuse };
        command.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            try
            {
                int[] counts = ExperimentCommand.ParseCounts(parse.GetValue(robots)!, "--robots", max: 64);
                int[] seedList = ExperimentSeedsCommand.ParseSeeds(parse.GetValue(seeds)!);
                double targetSuccess = ExperimentCommand.CheckTarget(parse.GetValue(target));
                if (parse.GetValue(stepsPerRobot) <= 0) throw new ArgumentException("--steps-per-robot must be positive.");
                int held = parse.GetValue(heldOut);
                if (held < 0) throw new ArgumentException("--held-out must be 0 or more.");
                string taskName = parse.GetValue(task)!;
                string[] suiteList = parse.GetValue(suites) is string sl ? sl.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) : [];
                foreach (string suite in suiteList) TaskCatalog.Variants(taskName, suite); // an unknown suite is refused before any run
                var file = parse.GetValue(config) is string c ? TrainConfig.ReadFile(c) : new JsonObject();
                var runs = (from n in counts from seed in seedList select (n, seed, cfg: TrainConfig.Merge(new TrainConfig(), [("--config", file), ("experiment", new JsonObject
                {
                    ["task"] = taskName, ["workers"] = n, ["seed"] = seed, ["steps"] = n * parse.GetValue(stepsPerRobot),
                    ["variation"] = new JsonObject { ["preset"] = parse.GetValue(variation) },
                })]))).ToArray();
                foreach (var r in runs) r.cfg.Validate(); // every run's settings are checked before the first starts
                string root = Path.GetFullPath(parse.GetValue(output)
                    ?? Path.Combine("runs", $"experiment-robots__{taskName}__{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}"));
                Directory.CreateDirectory(root);

                int widest = counts.Max();
                var results = new List<RobotCountRow>();
                string? failure = null;
                using (var interrupt = new CtrlC())
                {
                    foreach (var (n, seed, cfg) in runs)
                    {
                        if (interrupt.Token.IsCancellationRequested) break;
                        string folder = Path.Combine(root, $"robots-{n}__seed-{seed}");
                        RunDirectory run;
                        long envSteps;
                        double wall;
                        if (parse.GetValue(reuse) && Finished(folder, cfg) is var (kept, keptSteps, keptWall))
                        {
                            stderr.WriteLine($"naf experiment robots: {taskName}, {n} robot(s), seed {seed}: kept the finished run in {folder} ({keptSteps} env steps)");
                            (run, envSteps, wall) = (kept, keptSteps, keptWall);
                        }
                        else
                        {
                            stderr.WriteLine($"naf experiment robots: {taskName}, {n} robot(s), variation {parse.GetValue(variation)}, seed {seed}, {cfg.Steps} env steps");
                            TrainingSession.Summary summary;
                            try
                            {
                                (run, summary) = SessionRunner.RunExperiment(cfg, folder, replace: true, stderr, interrupt.Token);
                            }
                            catch (InvalidOperationException e)
                            {
                                // One failed run (a stalled worker, a MuJoCo fault) does not throw away the finished ones:
                                // their tables are written below, and --reuse continues from them.
                                failure = $"{n} robot(s), seed {seed}: {e.Message}";
                                stderr.WriteLine($"error: naf experiment robots: {failure}");
                                continue;
                            }
                            if (summary.Interrupted) break;
                            (envSteps, wall) = (summary.EnvSteps, summary.Metrics.ElapsedSeconds);
                        }
                        // Every run is judged on the same robots: the widest run's workers 0…N−1 (robot k is the same
                        // robot in every run of a seed) and the held-out ones.
                        var evaluation = PerRobotEvaluation.Run(cfg with { Workers = widest }, run.Path, "best", parse.GetValue(episodes), 0, held);
                        var variants = suiteList.SelectMany(suite =>
                            PerRobotEvaluation.RunSuite(cfg, run.Path, "best", parse.GetValue(episodes), 0, suite)).ToArray();
                        results.Add(RobotCountRow.From(n, seed, run, envSteps, wall, targetSuccess, evaluation) with { PerVariant = variants });
                    }
                }
                string csv = Path.Combine(root, "robots.csv");
                File.WriteAllLines(csv, [RobotCountRow.Header, .. results.Select(r => r.ToCsv())]);
                string md = Path.Combine(root, "generalisation.md");
                File.WriteAllLines(md, RobotCountRow.Generalisation(results, widest, held));
                string png = RobotCountRow.Plot(root, taskName, results, targetSuccess);
                string? variantsMd = null;
                if (suiteList.Length > 0)
                {
                    variantsMd = Path.Combine(root, "variants.md");
                    File.WriteAllLines(variantsMd, RobotCountRow.Variants(results));
                }
                stdout.WriteLine(RobotCountRow.Header);
                foreach (var r in results) stdout.WriteLine(r.ToCsv());
                foreach (string line in File.ReadLines(md)) stdout.WriteLine(line);
                if (variantsMd is not null)
                    foreach (string line in File.ReadLines(variantsMd)) stdout.WriteLine(line);
                stdout.WriteLine($"table: {csv}, {md}{(variantsMd is null ? "" : ", " + variantsMd)}");
                stdout.WriteLine($"plot:  {png}");
                stdout.WriteLine($"cpu:   {TrainingSession.CpuDescription()}");
                if (failure is not null)
                {
                    stderr.WriteLine($"error: naf experiment robots: {runs.Length - results.Count} of {runs.Length} runs did not finish (last: {failure}); " +
                        "the tables hold the others; run the same command with --reuse to train only the missing ones.");
                    return 1;
                }
                return results.Count == runs.Length ? 0 : 130;
            }
            catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException or InvalidOperationException)
            {
                stderr.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    /// <summary>The run in <paramref name="folder"/> if it finished with <paramref name="config"/>'s settings: the same
    /// config.json, its budget spent and best.naf written; else null.</summary>
    private static (RunDirectory Run, long EnvSteps, double WallSeconds)? Finished(string folder, TrainConfig config)
    {
        if (!File.Exists(Path.Combine(folder, RunDirectory.ConfigFile))) return null;
        try
        {
            var run = RunDirectory.Open(folder);
            if (System.Text.Json.JsonSerializer.Serialize(run.ReadConfig(), TrainConfig.Json) != System.Text.Json.JsonSerializer.Serialize(config, TrainConfig.Json))
                return null;
            var last = run.Files.ReadMetrics().LastOrDefault();
            if (last is null || config.Steps is not long budget || last.EnvSteps < budget || !File.Exists(run.BestCheckpointPath)) return null;
            return (run, last.EnvSteps, last.WallSeconds);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or FormatException)
        {
            return null;
        }
    }
}

using System.CommandLine;
using NafNative.Cli.Bench;
using NafNative.Cli.Training;
using NafNative.Learning;
using NafNative.Naf;
using NafNative.Sim;

namespace NafNative.Cli.Commands;

/// <summary><c>naf eval</c>: the greedy policy of a run's checkpoint over N episodes (success rate, mean return).</summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var runOption = new Option<string>("--run") { Description = "Run folder written by naf train.", Required = true };
        var episodes = CommonOptions.PositiveInt("--episodes", "Evaluation episodes (the original work used 20 trials).", 20);
        var seed = new Option<int>("--seed") { Description = "Offset of the evaluation episodes' seeds.", DefaultValueFactory = _ => 0 };
        var minSuccess = new Option<double?>("--min-success") { Description = "Exit with code 2 when the success rate is below this fraction." };
        var which = new Option<string>("--checkpoint") { Description = "best (kept by the periodic evaluation; the default when present) or latest.", DefaultValueFactory = _ => "best" };
        which.AcceptOnlyFromAmong("best", "latest");
        var json = CommonOptions.Json();
        var robotFile = new Option<string?>("--robot") { Description = "Evaluate on this robot (through its bus, safety filter and watchdog) instead of the run's simulated task." };
        var timeScale = RunCommand.RobotTimeScale();
        var perRobot = new Option<bool>("--per-robot") { Description = "Evaluate on each simulated worker's own robot (the run's variation), one line each." };
        var heldOut = new Option<int>("--held-out") { Description = "With --per-robot: also this many robots drawn from the same ranges that no worker trained on.", DefaultValueFactory = _ => 0 };
        var variation = new Option<string?>("--variation") { Description = "With --per-robot: draw the robots from this preset (none, mild, strong) instead of the run's variation." };
        var suiteOption = new Option<string?>("--suite", "--door-suite")
            { Description = "Evaluate at each variant of this suite (doors-5, doors-held-out; cubes-5, cubes-held-out), one line each." };
        var command = new Command("eval", "Evaluate a trained run's greedy policy.")
            { runOption, episodes, seed, minSuccess, which, json, robotFile, timeScale, perRobot, heldOut, variation, suiteOption };
        command.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            try
            {
                var run = RunDirectory.Open(parse.GetValue(runOption)!);
                var config = run.ReadConfig();
                // A naf learner's run has 0 worker threads (its workers were remote); evaluation needs none.
                config.Validate(remoteWorkers: true);
                string? robotPath = parse.GetValue(robotFile);
                if (parse.GetValue(suiteOption) is string suite)
                {
                    var rows = PerRobotEvaluation.RunSuite(config, run.Path, parse.GetValue(which)!, parse.GetValue(episodes), parse.GetValue(seed), suite);
                    PerRobotEvaluation.Write(stdout, rows, parse.GetValue(json));
                    return parse.GetValue(minSuccess) is double least && rows.Any(r => r.SuccessRate < least) ? 2 : 0;
                }
                if (parse.GetValue(perRobot))
                {
                    if (robotPath is not null) throw new ArgumentException("--per-robot evaluates the simulated robots; --robot evaluates one real robot: give one of them.");
                    if (parse.GetValue(variation) is string preset) config = config with { Variation = new Sim.Variation.RobotVariation { Preset = preset } };
                    config.Validate();
                    var rows = PerRobotEvaluation.Run(config, run.Path, parse.GetValue(which)!, parse.GetValue(episodes), parse.GetValue(seed), parse.GetValue(heldOut));
                    PerRobotEvaluation.Write(stdout, rows, parse.GetValue(json));
                    return parse.GetValue(minSuccess) is double least && rows.Any(r => r.SuccessRate < least) ? 2 : 0;
                }
                using var environment = robotPath is null
                    ? TaskCatalog.Create(config.Task, 0)
                    : Robots.RobotSetup.OpenReach(Robots.RobotSetup.Load(robotPath), parse.GetValue(timeScale));
                string where = robotPath is null ? config.Task : $"{config.Task} on robot {robotPath}";
                var (trainer, checkpoint) = RunCommand.LoadPolicy(run.Path, parse.GetValue(which)!);
                RunCommand.CheckFits(trainer, environment, checkpoint);
                var result = Evaluation.Run(environment, trainer.Network, trainer.Online.Values, parse.GetValue(episodes), parse.GetValue(seed));
                if (parse.GetValue(json))
                    JsonOutput.Write(stdout, new EvalJson(where, result.SuccessRate, result.MeanReturn, result.Episodes, result.Successes, trainer.Steps, checkpoint));
                else
                    stdout.WriteLine($"{where}: success {result.Successes}/{result.Episodes} ({result.SuccessRate:P0}), " +
                        $"mean return {result.MeanReturn:F3}, policy after {trainer.Steps} updates ({checkpoint})");
                return parse.GetValue(minSuccess) is double min && result.SuccessRate < min ? 2 : 0;
            }
            catch (NafNative.Hardware.Robots.RobotStoppedException e)
            {
                parse.InvocationConfiguration.Error.WriteLine($"error: {e.Message}");
                return 3;
            }
            catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException or TimeoutException or NafNative.Sim.Mujoco.MujocoException)
            {
                parse.InvocationConfiguration.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    private sealed record EvalJson(string Task, double SuccessRate, double MeanReturn, int Episodes, int Successes, long Updates, string Checkpoint);
}

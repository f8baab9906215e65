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
        var command = new Command("eval", "Evaluate a trained run's greedy policy.") { runOption, episodes, seed, minSuccess, which, json };
        command.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            try
            {
                var run = RunDirectory.Open(parse.GetValue(runOption)!);
                var config = run.ReadConfig();
                config.Validate();
                using var environment = TaskCatalog.Create(config.Task, 0);
                bool useBest = parse.GetValue(which) == "best" && File.Exists(run.BestCheckpointPath);
                string checkpoint = useBest ? run.BestCheckpointPath : run.CheckpointPath;
                var trainer = NafCheckpoint.Load(checkpoint);
                if (trainer.Options.ObservationSize != environment.ObservationSize || trainer.Options.ActionSize != environment.ActionSize)
                    throw new InvalidDataException($"{checkpoint}: network obs {trainer.Options.ObservationSize}/act {trainer.Options.ActionSize} " +
                        $"does not fit task {config.Task} (obs {environment.ObservationSize}/act {environment.ActionSize}).");
                var result = Evaluation.Run(environment, trainer.Network, trainer.Online.Values, parse.GetValue(episodes), parse.GetValue(seed));
                if (parse.GetValue(json))
                    JsonOutput.Write(stdout, new EvalJson(config.Task, result.SuccessRate, result.MeanReturn, result.Episodes, result.Successes, trainer.Steps, checkpoint));
                else
                    stdout.WriteLine($"{config.Task}: success {result.Successes}/{result.Episodes} ({result.SuccessRate:P0}), " +
                        $"mean return {result.MeanReturn:F3}, policy after {trainer.Steps} updates ({checkpoint})");
                return parse.GetValue(minSuccess) is double min && result.SuccessRate < min ? 2 : 0;
            }
            catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException or NafNative.Sim.Mujoco.MujocoException)
            {
                parse.InvocationConfiguration.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    private sealed record EvalJson(string Task, double SuccessRate, double MeanReturn, int Episodes, int Successes, long Updates, string Checkpoint);
}

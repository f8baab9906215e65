using System.CommandLine;
using NafNative.Cli.Training;
using NafNative.Learning;
using NafNative.Recording;
using NafNative.Sim;
using NafNative.Sim.Recording;

namespace NafNative.Cli.Commands;

/// <summary><c>naf record</c>: a run's greedy episodes (the ones naf eval counts) frame by frame, for naf view.</summary>
internal static class RecordCommand
{
    public static Command Create()
    {
        var runOption = new Option<string>("--run") { Description = "Run folder written by naf train.", Required = true };
        var episodes = CommonOptions.PositiveInt("--episodes", "Greedy episodes to record.", 5);
        var output = new Option<string?>("--out") { Description = $"File to write; default {RecordingFile.DefaultName} in the run folder (where naf view looks)." };
        var which = new Option<string>("--checkpoint") { Description = "best (kept by the periodic evaluation; the default when present) or latest.", DefaultValueFactory = _ => "best" };
        which.AcceptOnlyFromAmong("best", "latest");
        var seed = new Option<int>("--seed") { Description = "Offset of the episodes' seeds (as naf eval --seed).", DefaultValueFactory = _ => 0 };
        var variant = new Option<string?>("--variant")
            { Description = "Record at this variant of a suite, SUITE/NAME (e.g. doors-5/wide-heavy, cubes-5/high-goal), instead of the nominal task." };
        var command = new Command("record", "Record a trained run's greedy episodes (joint trajectories, target, door, cube) for naf view.")
            { runOption, episodes, output, which, seed, variant };
        command.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            try
            {
                var run = RunDirectory.Open(parse.GetValue(runOption)!);
                var config = run.ReadConfig();
                string path = Path.GetFullPath(parse.GetValue(output) ?? Path.Combine(run.Path, RecordingFile.DefaultName));
                if (Path.GetDirectoryName(path) is string folder && !Directory.Exists(folder))
                    throw new ArgumentException($"--out {parse.GetValue(output)}: folder {folder} does not exist.");
                // The nominal robot, as the periodic evaluation uses; the nominal task unless a variant is asked for.
                using var environment = parse.GetValue(variant) is string v ? Variant(config.Task, v).CreateTask() : TaskCatalog.Create(config.Task, -1);
                var capture = TaskCapture.For(environment);
                var (trainer, checkpoint) = RunCommand.LoadPolicy(run.Path, parse.GetValue(which)!);
                RunCommand.CheckFits(trainer, environment, checkpoint);
                var recording = EpisodeRecorder.Record(environment, capture, trainer.Network, trainer.Online.Values,
                    parse.GetValue(episodes), parse.GetValue(seed), checkpoint, trainer.Steps);
                RecordingFile.Write(path, recording);
                int successes = recording.Episodes.Count(e => e.Success);
                int frames = recording.Episodes.Sum(e => e.Frames.Count);
                stdout.WriteLine($"{path}: {recording.Episodes.Count} greedy {config.Task}{(parse.GetValue(variant) is string at ? " (" + at + ")" : "")} episodes of {checkpoint} ({trainer.Steps} updates), " +
                    $"{successes} successful, {frames} frames, {new FileInfo(path).Length / 1024.0:F0} KiB; watch them with: naf view --run {parse.GetValue(runOption)}" +
                    (parse.GetValue(output) is null ? "" : $" --recording {parse.GetValue(output)}"));
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException or UnauthorizedAccessException
                or Sim.Mujoco.MujocoException or Sim.Mujoco.MujocoUnavailableException)
            {
                parse.InvocationConfiguration.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    private static Sim.Tasks.ITaskVariant Variant(string task, string text)
    {
        int slash = text.IndexOf('/');
        if (slash <= 0 || slash == text.Length - 1)
            throw new ArgumentException($"--variant {text}: give SUITE/NAME, e.g. {TaskCatalog.Suites(task).FirstOrDefault() ?? "doors-5"}/standard.");
        string suite = text[..slash], name = text[(slash + 1)..];
        var variants = TaskCatalog.Variants(task, suite);
        return variants.SingleOrDefault(x => x.Name == name)
            ?? throw new ArgumentException($"--variant {text}: suite {suite} has no '{name}'; it has {string.Join(", ", variants.Select(x => x.Name))}.");
    }
}

using System.Text.Json;
using NafNative.Learning;

namespace NafNative.Cli.Training;

/// <summary>A naf train run's folder: config.json (every setting) and learning-curve PNGs on top of the files the
/// library's <see cref="RunFolder"/> writes (metrics.csv, evals.csv, checkpoint.naf, best.naf) (conventions:
/// <c>runs/&lt;task&gt;__&lt;exp&gt;__&lt;seed&gt;__&lt;unixtime&gt;/</c>).</summary>
public sealed class RunDirectory
{
    public const string ConfigFile = "config.json";

    private RunDirectory(RunFolder files) => Files = files;

    /// <summary>Every file a run writes into its folder (what --replace removes).</summary>
    private static readonly string[] RunFiles = [ConfigFile, .. RunFolder.Files, "curve-time.png", "curve-steps.png", RobotsFile];

    /// <summary>The files the training session writes.</summary>
    public RunFolder Files { get; }
    public string Path => Files.Path;
    public string ConfigPath => System.IO.Path.Combine(Path, ConfigFile);
    public string CheckpointPath => Files.CheckpointPath;
    public string BestCheckpointPath => Files.BestCheckpointPath;

    /// <summary>A new run folder. It must not hold a run already, unless <paramref name="replace"/>: then the files a
    /// run writes (and only those) are deleted first.</summary>
    public static RunDirectory CreateNew(string? path, TrainConfig config, bool replace = false)
    {
        path ??= System.IO.Path.Combine("runs", $"{config.Task}__naf__{config.Seed}__{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}");
        string full = System.IO.Path.GetFullPath(path);
        if (File.Exists(System.IO.Path.Combine(full, ConfigFile)))
        {
            if (!replace)
                throw new ArgumentException($"--out {path}: a run already exists there; use --resume to continue it, --replace to start it over, or choose another folder.");
            foreach (string file in RunFiles) File.Delete(System.IO.Path.Combine(full, file));
            foreach (string file in NafNative.Interop.TensorBoard.EventFile.Find(full)) File.Delete(file);
            new RunFolder(full).RemoveReplays();
        }
        Directory.CreateDirectory(full);
        var run = new RunDirectory(new RunFolder(full));
        File.WriteAllText(run.ConfigPath, JsonSerializer.Serialize(config, TrainConfig.Json));
        RunFolder.Create(full);
        return run;
    }

    /// <summary>An existing run folder, for --resume and naf eval.</summary>
    public static RunDirectory Open(string path)
    {
        var run = new RunDirectory(new RunFolder(path));
        if (!File.Exists(run.ConfigPath))
            throw new ArgumentException($"run {path}: no {ConfigFile} there; is it a run folder written by naf train?");
        return run;
    }

    public TrainConfig ReadConfig()
    {
        try
        {
            return JsonSerializer.Deserialize<TrainConfig>(File.ReadAllText(ConfigPath), TrainConfig.Json)
                ?? throw new ArgumentException($"{ConfigPath}: empty config.");
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"{ConfigPath}: {e.Message}", e);
        }
    }

    public const string RobotsFile = "robots.json";

    /// <summary>Writes each simulated worker's robot (robots.json); removes the file when every robot is nominal.</summary>
    public void WriteRobots(IReadOnlyList<Sim.Variation.RobotParameters> robots)
    {
        string path = System.IO.Path.Combine(Path, RobotsFile);
        if (robots.Count == 0) File.Delete(path);
        else File.WriteAllText(path, JsonSerializer.Serialize(robots, TrainConfig.Json));
    }

    public void WriteConfig(TrainConfig config) => File.WriteAllText(ConfigPath, JsonSerializer.Serialize(config, TrainConfig.Json));
}

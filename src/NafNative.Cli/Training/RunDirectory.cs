using System.Text.Json;

namespace NafNative.Cli.Training;

/// <summary>A run's folder: config.json (every setting), metrics.csv, the latest checkpoint, learning-curve PNGs
/// (conventions: <c>runs/&lt;task&gt;__&lt;exp&gt;__&lt;seed&gt;__&lt;unixtime&gt;/</c>).</summary>
public sealed class RunDirectory
{
    public const string ConfigFile = "config.json", MetricsFile = "metrics.csv", CheckpointFile = "checkpoint.naf",
        BestCheckpointFile = "best.naf", EvalsFile = "evals.csv";
    public const string EvalsHeader = "wall_seconds,env_steps,updates,success_rate,mean_return,kept_as_best";

    private RunDirectory(string path) => Path = path;

    /// <summary>Every file a run writes into its folder (what --replace removes).</summary>
    private static readonly string[] RunFiles =
        [ConfigFile, MetricsFile, CheckpointFile, BestCheckpointFile, EvalsFile, "curve-time.png", "curve-steps.png"];

    public string Path { get; }
    public string ConfigPath => System.IO.Path.Combine(Path, ConfigFile);
    public string MetricsPath => System.IO.Path.Combine(Path, MetricsFile);
    public string CheckpointPath => System.IO.Path.Combine(Path, CheckpointFile);
    public string BestCheckpointPath => System.IO.Path.Combine(Path, BestCheckpointFile);
    public string EvalsPath => System.IO.Path.Combine(Path, EvalsFile);

    /// <summary>A new run folder. It must not hold a run already, unless <paramref name="replace"/>: then the files a
    /// run writes (and only those) are deleted first.</summary>
    public static RunDirectory CreateNew(string? path, TrainConfig config, bool replace = false)
    {
        path ??= System.IO.Path.Combine("runs", $"{config.Task}__naf__{config.Seed}__{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}");
        var run = new RunDirectory(System.IO.Path.GetFullPath(path));
        if (File.Exists(run.ConfigPath))
        {
            if (!replace)
                throw new ArgumentException($"--out {path}: a run already exists there; use --resume to continue it, --replace to start it over, or choose another folder.");
            foreach (string file in RunFiles) File.Delete(System.IO.Path.Combine(run.Path, file));
        }
        Directory.CreateDirectory(run.Path);
        File.WriteAllText(run.ConfigPath, JsonSerializer.Serialize(config, TrainConfig.Json));
        File.WriteAllText(run.MetricsPath, MetricsRow.Header + Environment.NewLine);
        File.WriteAllText(run.EvalsPath, EvalsHeader + Environment.NewLine);
        return run;
    }

    /// <summary>An existing run folder, for --resume and naf eval.</summary>
    public static RunDirectory Open(string path)
    {
        var run = new RunDirectory(System.IO.Path.GetFullPath(path));
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

    public void WriteConfig(TrainConfig config) => File.WriteAllText(ConfigPath, JsonSerializer.Serialize(config, TrainConfig.Json));

    public void AppendMetrics(MetricsRow row) => File.AppendAllText(MetricsPath, row.ToCsv() + Environment.NewLine);

    public void AppendEval(double wallSeconds, long envSteps, long updates, double successRate, double meanReturn, bool kept) =>
        File.AppendAllText(EvalsPath, string.Join(',', F(wallSeconds), envSteps, updates, F(successRate), F(meanReturn), kept ? 1 : 0) + Environment.NewLine);

    /// <summary>(wall seconds, env steps, success rate) of every periodic evaluation so far.</summary>
    public List<(double Wall, long Steps, double Success)> ReadEvals() =>
        File.Exists(EvalsPath)
            ? File.ReadLines(EvalsPath).Skip(1).Where(l => l.Length > 0).Select(l => l.Split(','))
                .Select(p => (double.Parse(p[0], Inv), long.Parse(p[1], Inv), double.Parse(p[3], Inv))).ToList()
            : [];

    /// <summary>(success rate, mean return) of the evaluation last kept as best.naf, or null if none was.</summary>
    public (double Success, double Return)? ReadBestEval()
    {
        if (!File.Exists(EvalsPath) || !File.Exists(BestCheckpointPath)) return null;
        (double, double)? best = null;
        foreach (string line in File.ReadLines(EvalsPath).Skip(1))
        {
            string[] p = line.Split(',');
            if (p.Length == 6 && p[5] == "1") best = (double.Parse(p[3], Inv), double.Parse(p[4], Inv));
        }
        return best;
    }

    private static readonly System.Globalization.CultureInfo Inv = System.Globalization.CultureInfo.InvariantCulture;
    private static string F(double v) => v.ToString("G6", Inv);

    public List<MetricsRow> ReadMetrics() =>
        File.Exists(MetricsPath) ? File.ReadLines(MetricsPath).Skip(1).Where(l => l.Length > 0).Select(MetricsRow.Parse).ToList() : [];
}

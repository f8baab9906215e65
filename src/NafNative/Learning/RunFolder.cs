using System.Globalization;

namespace NafNative.Learning;

/// <summary>The files a <see cref="TrainingSession"/> writes into a run's folder: metrics.csv (one
/// <see cref="MetricsRow"/> a line), evals.csv (one line per periodic evaluation), the latest checkpoint and the best
/// one kept (conventions: <c>runs/&lt;task&gt;__&lt;exp&gt;__&lt;seed&gt;__&lt;unixtime&gt;/</c>).</summary>
/// <remarks>Settings (config.json) and plots are the caller's: the library writes none. The session also writes a
/// TensorBoard event file per process (<see cref="Interop.TensorBoard.EventFile"/>) holding the same rows. Not thread-safe: the session
/// appends metrics on its controlling thread and evaluations on the learner thread, never both at once on one file.</remarks>
public sealed class RunFolder
{
    public const string MetricsFile = "metrics.csv", CheckpointFile = "checkpoint.naf", BestCheckpointFile = "best.naf",
        EvalsFile = "evals.csv", WorkersFile = "workers.csv";
    public const string WorkersHeader = "wall_seconds,worker,env_steps,recent_episodes,mean_return,success_rate";
    private const string ReplayPrefix = "replay-", ReplaySuffix = ".naf";
    public const string EvalsHeader = "wall_seconds,env_steps,updates,success_rate,mean_return,kept_as_best,collapsed";

    /// <summary>Every file a session writes into its folder.</summary>
    public static readonly IReadOnlyList<string> Files = [MetricsFile, CheckpointFile, BestCheckpointFile, EvalsFile, WorkersFile];

    /// <summary>The folder at <paramref name="path"/> (made absolute); nothing is created or checked.</summary>
    public RunFolder(string path) => Path = System.IO.Path.GetFullPath(path);

    public string Path { get; }
    public string MetricsPath => System.IO.Path.Combine(Path, MetricsFile);
    public string CheckpointPath => System.IO.Path.Combine(Path, CheckpointFile);
    public string BestCheckpointPath => System.IO.Path.Combine(Path, BestCheckpointFile);
    public string EvalsPath => System.IO.Path.Combine(Path, EvalsFile);
    public string WorkersPath => System.IO.Path.Combine(Path, WorkersFile);

    /// <summary>Creates the folder (if needed) and starts metrics.csv and evals.csv with their headers, replacing
    /// any there.</summary>
    public static RunFolder Create(string path)
    {
        var run = new RunFolder(path);
        Directory.CreateDirectory(run.Path);
        File.WriteAllText(run.MetricsPath, MetricsRow.Header + Environment.NewLine);
        File.WriteAllText(run.EvalsPath, EvalsHeader + Environment.NewLine);
        File.WriteAllText(run.WorkersPath, WorkersHeader + Environment.NewLine);
        return run;
    }

    public void AppendMetrics(MetricsRow row) => File.AppendAllText(MetricsPath, row.ToCsv() + Environment.NewLine);

    /// <summary>One line per worker (workers.csv), written with each metrics row.</summary>
    public void AppendWorkers(double wallSeconds, IReadOnlyList<WorkerSummary> workers)
    {
        var text = new System.Text.StringBuilder();
        foreach (var w in workers)
            text.Append(string.Join(',', F(wallSeconds), w.Worker, w.Steps, w.Episodes, F(w.MeanReturn), F(w.SuccessRate))).Append(Environment.NewLine);
        // A file from before workers.csv existed (a resumed older run) gets its header first.
        if (!File.Exists(WorkersPath)) text.Insert(0, WorkersHeader + Environment.NewLine);
        File.AppendAllText(WorkersPath, text.ToString());
    }

    /// <summary>One evaluation line; <paramref name="collapsed"/>: see <see cref="PolicyCollapse"/>.</summary>
    public void AppendEval(double wallSeconds, long envSteps, long updates, double successRate, double meanReturn, bool kept, bool collapsed = false) =>
        File.AppendAllText(EvalsPath, string.Join(',', F(wallSeconds), envSteps, updates, F(successRate), F(meanReturn), kept ? 1 : 0, collapsed ? 1 : 0) +
            Environment.NewLine);

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
            if (p.Length >= 6 && p[5] == "1") best = (double.Parse(p[3], Inv), double.Parse(p[4], Inv));
        }
        return best;
    }

    /// <summary>Cuts a line that a killed process left half-appended at the end of metrics.csv or evals.csv (a file
    /// not ending in a newline); returns the files repaired. The complete lines before it are kept.</summary>
    public IReadOnlyList<string> RepairTornAppends()
    {
        var repaired = new List<string>();
        foreach (string file in new[] { MetricsPath, EvalsPath, WorkersPath })
        {
            if (!File.Exists(file)) continue;
            using var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite);
            if (stream.Length == 0) continue;
            stream.Position = stream.Length - 1;
            if (stream.ReadByte() == '\n') continue;
            // Scan back for the last complete line; the files are small (one line per period).
            long end = stream.Length - 1;
            while (end > 0)
            {
                stream.Position = end - 1;
                if (stream.ReadByte() == '\n') break;
                end--;
            }
            stream.SetLength(end);
            repaired.Add(System.IO.Path.GetFileName(file));
        }
        return repaired;
    }

    /// <summary>The replay file that goes with the checkpoint taken after <paramref name="updates"/> updates.</summary>
    /// <remarks>Named by the update count so that the pair is written in an order a crash cannot break: the new replay
    /// file first, then the checkpoint (renamed over the old one), then the replay files of older checkpoints are
    /// removed. Killed at any point, the folder holds a checkpoint and the replay file of the same update count.</remarks>
    public string ReplayPath(long updates) => System.IO.Path.Combine(Path, $"{ReplayPrefix}{updates:D12}{ReplaySuffix}");

    /// <summary>The replay file saved with a checkpoint of <paramref name="updates"/> updates, or null if none was.</summary>
    public string? FindReplay(long updates) => File.Exists(ReplayPath(updates)) ? ReplayPath(updates) : null;

    /// <summary>Deletes every replay file except the one for <paramref name="keepUpdates"/> (null: all of them).</summary>
    public void RemoveReplays(long? keepUpdates = null)
    {
        if (!Directory.Exists(Path)) return;
        string? keep = keepUpdates is long u ? ReplayPath(u) : null;
        foreach (string file in Directory.EnumerateFiles(Path, $"{ReplayPrefix}*{ReplaySuffix}"))
            if (!string.Equals(file, keep, StringComparison.Ordinal)) File.Delete(file);
    }

    public List<MetricsRow> ReadMetrics() =>
        File.Exists(MetricsPath) ? File.ReadLines(MetricsPath).Skip(1).Where(l => l.Length > 0).Select(MetricsRow.Parse).ToList() : [];

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static string F(double v) => double.IsNaN(v) ? "" : v.ToString("G6", Inv);
}

using NafNative.Learning;
using NafNative.Remote.Server;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace NafNative.Cli.Training;

/// <summary>Live training progress on stderr: a Spectre.Console table redrawn in place on a terminal, one plain line
/// per update otherwise (logs, CI, pipes), so stdout stays free for results.</summary>
internal static class LiveProgress
{
    /// <summary>Runs <paramref name="work"/>, giving it a callback that shows each new metrics row;
    /// <paramref name="remote"/>, when given, adds the remote workers (steps/s, staleness, last seen) under it.</summary>
    public static T Run<T>(TextWriter error, bool interactive, string title, Func<Action<MetricsRow>, T> work,
        Func<IReadOnlyList<RemoteWorkerRow>>? remote = null)
    {
        if (!interactive)
        {
            var printer = new ProgressPrinter(error);
            return work(row =>
            {
                printer.Print(row);
                if (remote is not null) foreach (var w in remote()) printer.Print(w);
            });
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(error) });
        IRenderable Render(MetricsRow? row) => remote is null ? NewTable(title, row) : new Rows(NewTable(title, row), RemoteTable(remote()));
        T result = default!;
        console.Live(Render(null)).AutoClear(false).Start(context =>
        {
            result = work(row =>
            {
                context.UpdateTarget(Render(row));
                context.Refresh();
            });
        });
        return result;
    }

    private static Table RemoteTable(IReadOnlyList<RemoteWorkerRow> rows)
    {
        var table = new Table().Title("remote workers").AddColumns("id", "name", "peer", "steps", "steps/s", "batches", "duplicates",
            "episodes", "staleness", "last seen");
        if (rows.Count == 0) table.AddRow("none yet");
        foreach (var w in rows)
            table.AddRow($"{w.Worker}", Markup.Escape(w.Name), Markup.Escape(w.Peer), $"{w.Steps:N0}", $"{w.StepsPerS:F0}", $"{w.Batches:N0}",
                $"{w.DuplicateBatches:N0}", $"{w.Episodes:N0}", $"{w.Staleness:F0}", $"{w.LastSeenSeconds:F1} s ago");
        return table;
    }

    private static Table NewTable(string title, MetricsRow? row)
    {
        var table = new Table().Title(title).AddColumns("wall", "env steps", "steps/s", "updates", "updates/s", "replay",
            "episodes", "return", "success", "staleness", "loss", "safety stops");
        if (row is null) table.AddRow("starting…");
        else
            table.AddRow($"{row.WallSeconds:F0} s", $"{row.EnvSteps:N0}", $"{row.StepsPerS:F0}", $"{row.Updates:N0}", $"{row.UpdatesPerS:F0}",
                $"{row.ReplayFill:N0}", $"{row.Episodes:N0}", $"{row.MeanReturn:F2}", $"{row.SuccessRate:P0}", $"{row.Staleness:F0}",
                $"{row.Loss:G3}", $"{row.SafetyInterventions:N0}");
        // One line per robot below the totals, so a worker whose robot lags (or differs) shows.
        if (row is { Workers.Count: > 1 })
            foreach (var w in row.Workers)
                table.AddRow($"worker {w.Worker}", $"{w.Steps:N0}", "", "", "", "", $"{w.Episodes} recent", double.IsNaN(w.MeanReturn) ? "—" : $"{w.MeanReturn:F2}",
                    double.IsNaN(w.SuccessRate) ? "—" : $"{w.SuccessRate:P0}", "", "", "");
        return table;
    }
}

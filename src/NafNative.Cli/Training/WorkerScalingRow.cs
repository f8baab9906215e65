using System.Globalization;
using NafNative.Learning;

namespace NafNative.Cli.Training;

/// <summary>One worker count's outcome in <c>naf experiment workers</c>.</summary>
public sealed record WorkerScalingRow(int Workers, double Minutes, double TimeScale, double UpdatesPerS, double EnvStepsPerS,
    double EnvStepsPerSPerWorker, double? SecondsToTarget, long? StepsToTarget, double FinalEvalSuccess, double BestEvalSuccess,
    IReadOnlyList<(double Wall, long Steps, double Success)> Evals)
{
    public const string Header =
        "workers,minutes,time_scale,learner_updates_per_s,env_steps_per_s,env_steps_per_s_per_worker,seconds_to_target,env_steps_to_target,final_eval_success,best_eval_success";

    public static WorkerScalingRow From(TrainConfig config, RunDirectory run, TrainingSession.Summary summary, double target)
    {
        var evals = run.Files.ReadEvals();
        var hit = evals.FirstOrDefault(e => e.Success >= target);
        bool reached = evals.Any(e => e.Success >= target);
        double seconds = Math.Max(1e-9, summary.Metrics.ElapsedSeconds);
        double stepsPerS = summary.Metrics.TotalSteps / seconds;
        return new WorkerScalingRow(config.Workers, config.Minutes ?? 0, config.TimeScale, summary.Metrics.Updates / seconds,
            stepsPerS, stepsPerS / config.Workers, reached ? hit.Wall : null, reached ? hit.Steps : null,
            evals.Count > 0 ? evals[^1].Success : double.NaN, summary.BestEvalSuccess, evals);
    }

    public string ToCsv() => string.Join(',', Workers, F(Minutes), F(TimeScale), F(UpdatesPerS), F(EnvStepsPerS), F(EnvStepsPerSPerWorker),
        SecondsToTarget is double s ? F(s) : "", StepsToTarget?.ToString(CultureInfo.InvariantCulture) ?? "", F(FinalEvalSuccess), F(BestEvalSuccess));

    /// <summary>Greedy eval success against wall time, one line per worker count: workers.png.</summary>
    public static string Plot(string directory, IReadOnlyList<WorkerScalingRow> rows, double target)
    {
        var plot = new ScottPlot.Plot();
        plot.Title("NAF: greedy success vs wall time by number of workers");
        plot.XLabel("wall time (s)");
        plot.YLabel("greedy eval success (20 episodes)");
        foreach (var row in rows.Where(r => r.Evals.Count > 0))
        {
            var line = plot.Add.Scatter(row.Evals.Select(e => e.Wall).ToArray(), row.Evals.Select(e => e.Success).ToArray());
            line.LegendText = $"{row.Workers} worker{(row.Workers == 1 ? "" : "s")} ({row.UpdatesPerS:F0} updates/s)";
        }
        var goal = plot.Add.HorizontalLine(target);
        goal.LinePattern = ScottPlot.LinePattern.Dashed;
        plot.ShowLegend();
        string path = Path.Combine(directory, "workers.png");
        plot.SavePng(path, 900, 500);
        return path;
    }

    private static string F(double v) => double.IsNaN(v) ? "" : v.ToString("G6", CultureInfo.InvariantCulture);
}

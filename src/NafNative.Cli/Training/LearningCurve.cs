using NafNative.Learning;
namespace NafNative.Cli.Training;

/// <summary>Draws a run's learning curves (mean return and success rate against wall time and against env steps)
/// as PNGs with ScottPlot.</summary>
public static class LearningCurve
{
    /// <summary>Writes <c>curve-time.png</c> and <c>curve-steps.png</c> into <paramref name="directory"/>; returns their paths.</summary>
    public static (string Time, string Steps) Write(string directory, string title, IReadOnlyList<MetricsRow> rows,
        IReadOnlyList<(double Wall, long Steps, double Success)> evals)
    {
        string time = Path.Combine(directory, "curve-time.png");
        string steps = Path.Combine(directory, "curve-steps.png");
        Draw(time, title, "wall time (s)", rows, r => r.WallSeconds, evals.Select(e => (e.Wall, e.Success)).ToArray());
        Draw(steps, title, "environment steps (all workers)", rows, r => r.EnvSteps, evals.Select(e => ((double)e.Steps, e.Success)).ToArray());
        return (time, steps);
    }

    private static void Draw(string path, string title, string xLabel, IReadOnlyList<MetricsRow> rows, Func<MetricsRow, double> x,
        (double X, double Success)[] evals)
    {
        var withEpisodes = rows.Where(r => !double.IsNaN(r.MeanReturn)).ToArray();
        var plot = new ScottPlot.Plot();
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.Axes.Left.Label.Text = "mean return (last 20 episodes)";
        plot.Axes.Right.Label.Text = "success rate";
        if (withEpisodes.Length > 0)
        {
            double[] xs = withEpisodes.Select(x).ToArray();
            var ret = plot.Add.Scatter(xs, withEpisodes.Select(r => r.MeanReturn).ToArray());
            ret.LegendText = "mean return";
            var success = plot.Add.Scatter(xs, withEpisodes.Select(r => r.SuccessRate).ToArray());
            success.LegendText = "success rate";
            success.Axes.YAxis = plot.Axes.Right;
            plot.ShowLegend();
        }
        if (evals.Length > 0)
        {
            var greedy = plot.Add.Scatter(evals.Select(e => e.X).ToArray(), evals.Select(e => e.Success).ToArray());
            greedy.LegendText = "greedy eval success (20 episodes)";
            greedy.Axes.YAxis = plot.Axes.Right;
            plot.ShowLegend();
        }
        plot.SavePng(path, 900, 500);
    }
}

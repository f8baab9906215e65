namespace NafNative.Cli.Training;

/// <summary>Mean and spread (min–max band) of the periodic greedy success over seeds, against environment steps and
/// against wall time: <c>seeds-steps.png</c> and <c>seeds-time.png</c>.</summary>
/// <remarks>Seeds evaluate at different points (wall time always, steps slightly: an evaluation waits for the poll),
/// so each seed's curve is read as a step function (the last evaluation so far) on one common grid.</remarks>
public static class SeedSpreadPlot
{
    private const int GridPoints = 200;

    public static (string Steps, string Time) Write(string directory, string title, IReadOnlyList<SeedRow> rows, double target)
    {
        string steps = Path.Combine(directory, "seeds-steps.png");
        string time = Path.Combine(directory, "seeds-time.png");
        Draw(steps, title, "environment steps (all workers)", rows, r => r.Evals.Select(e => ((double)e.Steps, e.Success)).ToArray(), target);
        Draw(time, title, "wall time (s)", rows, r => r.Evals.Select(e => (e.Wall, e.Success)).ToArray(), target);
        return (steps, time);
    }

    /// <summary>(x, mean, min, max) of the seeds' step-function curves on a common grid up to the shortest run's
    /// end, so every point averages every seed.</summary>
    public static (double[] X, double[] Mean, double[] Min, double[] Max) Spread(IReadOnlyList<(double X, double Success)[]> curves)
    {
        var usable = curves.Where(c => c.Length > 0).ToArray();
        if (usable.Length == 0) return ([], [], [], []);
        double start = usable.Max(c => c[0].X), end = usable.Min(c => c[^1].X);
        if (end < start) end = start;
        var x = new double[GridPoints];
        var mean = new double[GridPoints];
        var min = new double[GridPoints];
        var max = new double[GridPoints];
        for (int i = 0; i < GridPoints; i++)
        {
            x[i] = start + (end - start) * i / (GridPoints - 1);
            double sum = 0, lo = double.PositiveInfinity, hi = double.NegativeInfinity;
            foreach (var curve in usable)
            {
                double v = At(curve, x[i]);
                sum += v;
                lo = Math.Min(lo, v);
                hi = Math.Max(hi, v);
            }
            mean[i] = sum / usable.Length;
            min[i] = lo;
            max[i] = hi;
        }
        return (x, mean, min, max);
    }

    // The last evaluation at or before x (curves are sorted by x; x is never before the first point here).
    private static double At((double X, double Success)[] curve, double x)
    {
        double value = curve[0].Success;
        foreach (var (px, success) in curve)
        {
            if (px > x) break;
            value = success;
        }
        return value;
    }

    private static void Draw(string path, string title, string xLabel, IReadOnlyList<SeedRow> rows,
        Func<SeedRow, (double X, double Success)[]> curveOf, double target)
    {
        var plot = new ScottPlot.Plot();
        plot.Title($"{title}: greedy success over {rows.Count} seed{(rows.Count == 1 ? "" : "s")}");
        plot.XLabel(xLabel);
        plot.YLabel("greedy eval success (periodic)");
        var (x, mean, min, max) = Spread(rows.Select(curveOf).ToArray());
        if (x.Length > 0)
        {
            var band = plot.Add.FillY(x, min, max);
            band.FillColor = ScottPlot.Colors.SteelBlue.WithAlpha(0.25);
            band.LegendText = "min–max over seeds";
            var line = plot.Add.Scatter(x, mean);
            line.MarkerSize = 0;
            line.LineWidth = 2;
            line.LegendText = "mean";
        }
        var goal = plot.Add.HorizontalLine(target);
        goal.LinePattern = ScottPlot.LinePattern.Dashed;
        plot.Axes.SetLimitsY(-0.02, 1.02);
        plot.ShowLegend();
        plot.SavePng(path, 900, 500);
    }
}

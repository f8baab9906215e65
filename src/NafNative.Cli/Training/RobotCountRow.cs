using System.Globalization;
using NafNative.Learning;

namespace NafNative.Cli.Training;

/// <summary>One run of <c>naf experiment robots</c>: its robot count and seed, when its periodic greedy evaluation
/// (on the nominal robot) first reached the target, and its best.naf's success on each robot and on held-out ones.</summary>
public sealed record RobotCountRow(int Robots, int Seed, long EnvSteps, double WallSeconds, long? StepsToTarget, double? SecondsToTarget,
    IReadOnlyList<PerRobotEvaluation.Row> PerRobot, IReadOnlyList<(double Wall, long Steps, double Success)> Evals)
{
    /// <summary>The run's best.naf at each variant of the suites asked for (nominal robot; <c>--suites</c>).</summary>
    public IReadOnlyList<PerRobotEvaluation.Row> PerVariant { get; init; } = [];

    public const string Header =
        "robots,seed,env_steps,wall_seconds,env_steps_to_target,env_steps_per_robot_to_target,seconds_to_target,own_robots_success,all_robots_success,held_out_success";

    public static RobotCountRow From(int robots, int seed, RunDirectory run, TrainingSession.Summary summary, double target,
        IReadOnlyList<PerRobotEvaluation.Row> perRobot) =>
        From(robots, seed, run, summary.EnvSteps, summary.Metrics.ElapsedSeconds, target, perRobot);

    /// <inheritdoc cref="From(int, int, RunDirectory, TrainingSession.Summary, double, IReadOnlyList{PerRobotEvaluation.Row})"/>
    public static RobotCountRow From(int robots, int seed, RunDirectory run, long envSteps, double wallSeconds, double target,
        IReadOnlyList<PerRobotEvaluation.Row> perRobot)
    {
        var evals = run.Files.ReadEvals();
        int hit = evals.FindIndex(e => e.Success >= target);
        return new RobotCountRow(robots, seed, envSteps, wallSeconds, hit >= 0 ? evals[hit].Steps : null,
            hit >= 0 ? evals[hit].Wall : null, perRobot, evals);
    }

    public double OwnSuccess => Mean(PerRobot.Where(r => !r.HeldOut && r.Index < Robots));
    public double AllSuccess => Mean(PerRobot.Where(r => !r.HeldOut));
    public double HeldOutSuccess => Mean(PerRobot.Where(r => r.HeldOut));

    private static double Mean(IEnumerable<PerRobotEvaluation.Row> rows)
    {
        var rates = rows.Select(r => r.SuccessRate).ToArray();
        return rates.Length == 0 ? double.NaN : rates.Average();
    }

    public string ToCsv() => string.Join(',', Robots, Seed, EnvSteps.ToString(Inv), F(WallSeconds), StepsToTarget?.ToString(Inv) ?? "",
        StepsToTarget is long s ? (s / (double)Robots).ToString("F0", Inv) : "", SecondsToTarget is double t ? F(t) : "",
        F(OwnSuccess), F(AllSuccess), F(HeldOutSuccess));

    /// <summary>The generalisation table: each run's best.naf on every robot 0…N−1 and the held-out mean.</summary>
    public static IEnumerable<string> Generalisation(IReadOnlyList<RobotCountRow> rows, int robots, int heldOut)
    {
        yield return "| trained on | seed | " + string.Join(" | ", Enumerable.Range(0, robots).Select(i => $"robot {i}")) +
            (heldOut > 0 ? $" | held-out ({heldOut}) |" : " |");
        yield return "| --- | --- | " + string.Join(" | ", Enumerable.Range(0, robots).Select(_ => "---")) + (heldOut > 0 ? " | --- |" : " |");
        foreach (var r in rows)
            yield return $"| {r.Robots} robot{(r.Robots == 1 ? "" : "s")} | {r.Seed} | " +
                string.Join(" | ", Enumerable.Range(0, robots).Select(i => r.PerRobot.FirstOrDefault(p => !p.HeldOut && p.Index == i) is { } p
                    ? $"{p.Successes}/{p.Episodes}{(i < r.Robots ? "" : "*")}" : "—")) +
                (heldOut > 0 ? $" | {r.HeldOutSuccess.ToString("P0", Inv)} |" : " |");
        yield return "";
        yield return "\\* a robot that run did not train on.";
    }

    /// <summary>The variants table: each run's best.naf at every variant of the suites asked for, with each suite's
    /// mean; a variant of a suite the runs did not train on is marked held out.</summary>
    public static IEnumerable<string> Variants(IReadOnlyList<RobotCountRow> rows)
    {
        var columns = rows.SelectMany(r => r.PerVariant).Select(v => v.Robot).Distinct().ToArray();
        if (columns.Length == 0) yield break;
        var suites = columns.Select(c => c[..c.IndexOf('/')]).Distinct().ToArray();
        yield return "| trained on | seed | " + string.Join(" | ", columns) + " | " + string.Join(" | ", suites.Select(s => $"{s} mean")) + " |";
        yield return "| --- | --- | " + string.Join(" | ", columns.Select(_ => "---")) + " | " + string.Join(" | ", suites.Select(_ => "---")) + " |";
        foreach (var r in rows)
            yield return $"| {r.Robots} robot{(r.Robots == 1 ? "" : "s")} | {r.Seed} | " +
                string.Join(" | ", columns.Select(c => r.PerVariant.FirstOrDefault(v => v.Robot == c) is { } v ? $"{v.Successes}/{v.Episodes}{(v.HeldOut ? "*" : "")}" : "—")) +
                " | " + string.Join(" | ", suites.Select(s => Mean(r.PerVariant.Where(v => v.Robot.StartsWith(s + "/", StringComparison.Ordinal))).ToString("P0", Inv))) + " |";
        yield return "";
        yield return "\\* a variant of a suite the runs did not train on (held out).";
    }

    /// <summary>Mean periodic greedy success against env steps per robot, one line per robot count: robots.png.</summary>
    public static string Plot(string directory, string task, IReadOnlyList<RobotCountRow> rows, double target)
    {
        var plot = new ScottPlot.Plot();
        plot.Title($"NAF on {task}: greedy success by number of differing robots");
        plot.XLabel("environment steps per robot");
        plot.YLabel("greedy eval success (periodic, mean over seeds)");
        foreach (var group in rows.GroupBy(r => r.Robots))
        {
            var (x, mean, _, _) = SeedSpreadPlot.Spread([.. group.Select(r => r.Evals.Select(e => (e.Steps / (double)r.Robots, e.Success)).ToArray())]);
            if (x.Length == 0) continue;
            var line = plot.Add.Scatter(x, mean);
            line.MarkerSize = 0;
            line.LineWidth = 2;
            line.LegendText = $"{group.Key} robot{(group.Key == 1 ? "" : "s")}";
        }
        var goal = plot.Add.HorizontalLine(target);
        goal.LinePattern = ScottPlot.LinePattern.Dashed;
        plot.Axes.SetLimitsY(-0.02, 1.02);
        plot.ShowLegend();
        string path = Path.Combine(directory, "robots.png");
        plot.SavePng(path, 900, 500);
        return path;
    }

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static string F(double v) => double.IsNaN(v) ? "" : v.ToString("G6", Inv);
}

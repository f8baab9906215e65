using System.Globalization;
using NafNative.Learning;

namespace NafNative.Cli.Training;

/// <summary>One seed's outcome in <c>naf experiment seeds</c>: its run's budget and speed, when it first reached the
/// target in the periodic greedy evaluations, and the success of its best.naf and final checkpoint on the seeds
/// <c>naf eval</c> uses (20 episodes unless told otherwise).</summary>
public sealed record SeedRow(int Seed, long EnvSteps, double WallSeconds, long Updates, long? StepsToTarget, double? SecondsToTarget,
    double BestPeriodicSuccess, double LastPeriodicSuccess, int Evaluations, double BestSuccess, double FinalSuccess, int Episodes,
    IReadOnlyList<(double Wall, long Steps, double Success)> Evals)
{
    public const string Header =
        "seed,env_steps,wall_seconds,updates,env_steps_to_target,seconds_to_target,best_periodic_success,last_periodic_success,evaluations," +
        "best_naf_success,final_success,eval_episodes";

    public static SeedRow From(int seed, RunDirectory run, TrainingSession.Summary summary, double target, double bestSuccess,
        double finalSuccess, int episodes)
    {
        var evals = run.Files.ReadEvals();
        int hit = evals.FindIndex(e => e.Success >= target);
        return new SeedRow(seed, summary.EnvSteps, summary.Metrics.ElapsedSeconds, summary.TotalUpdates,
            hit >= 0 ? evals[hit].Steps : null, hit >= 0 ? evals[hit].Wall : null,
            evals.Count > 0 ? evals.Max(e => e.Success) : double.NaN, evals.Count > 0 ? evals[^1].Success : double.NaN, evals.Count,
            bestSuccess, finalSuccess, episodes, evals);
    }

    public string ToCsv() => string.Join(',', Seed, EnvSteps.ToString(Inv), F(WallSeconds), Updates.ToString(Inv),
        StepsToTarget?.ToString(Inv) ?? "", SecondsToTarget is double s ? F(s) : "", F(BestPeriodicSuccess), F(LastPeriodicSuccess),
        Evaluations.ToString(Inv), F(BestSuccess), F(FinalSuccess), Episodes.ToString(Inv));

    /// <summary>The summary table in Markdown (one row per seed, then the mean), as README's results table uses it.</summary>
    public static IEnumerable<string> Markdown(IReadOnlyList<SeedRow> rows, double target)
    {
        string pct = target.ToString("P0", Inv).Replace(" ", "", StringComparison.Ordinal);
        yield return $"| seed | best.naf (naf eval) | final checkpoint | env steps to ≥ {pct} | wall s to ≥ {pct} | env steps | wall s |";
        yield return "| --- | --- | --- | --- | --- | --- | --- |";
        foreach (var r in rows)
            yield return $"| {r.Seed} | {Successes(r.BestSuccess, r.Episodes)} | {Successes(r.FinalSuccess, r.Episodes)} | " +
                $"{r.StepsToTarget?.ToString("N0", Inv) ?? "not reached"} | {(r.SecondsToTarget is double s ? s.ToString("F0", Inv) : "—")} | " +
                $"{r.EnvSteps.ToString("N0", Inv)} | {r.WallSeconds.ToString("F0", Inv)} |";
        if (rows.Count == 0) yield break;
        int reached = rows.Count(r => r.StepsToTarget is not null);
        string meanSteps = reached > 0 ? rows.Where(r => r.StepsToTarget is not null).Average(r => (double)r.StepsToTarget!.Value).ToString("N0", Inv) : "—";
        string meanSeconds = reached > 0 ? rows.Where(r => r.SecondsToTarget is not null).Average(r => r.SecondsToTarget!.Value).ToString("F0", Inv) : "—";
        yield return $"| mean ({rows.Count} seeds) | {rows.Average(r => r.BestSuccess).ToString("P0", Inv)} | {rows.Average(r => r.FinalSuccess).ToString("P0", Inv)} | " +
            $"{meanSteps} ({reached}/{rows.Count} reached) | {meanSeconds} | {rows.Average(r => (double)r.EnvSteps).ToString("N0", Inv)} | " +
            $"{rows.Average(r => r.WallSeconds).ToString("F0", Inv)} |";
    }

    private static string Successes(double rate, int episodes) =>
        double.IsNaN(rate) ? "—" : $"{Math.Round(rate * episodes).ToString(Inv)}/{episodes.ToString(Inv)}";

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static string F(double v) => double.IsNaN(v) ? "" : v.ToString("G6", Inv);
}

using System.Globalization;

namespace NafNative.Cli.Training;

/// <summary>One line of a run's metrics.csv.</summary>
public sealed record MetricsRow(double WallSeconds, long EnvSteps, long Updates, double UpdatesPerS, double StepsPerS,
    int ReplayFill, long Episodes, double MeanReturn, double SuccessRate, double Staleness, float Loss, long SafetyInterventions)
{
    public const string Header =
        "wall_seconds,env_steps,updates,updates_per_s,steps_per_s,replay_fill,episodes,mean_return,success_rate,staleness,loss,safety_interventions";

    public string ToCsv() => string.Join(',',
        F(WallSeconds), EnvSteps.ToString(CultureInfo.InvariantCulture), Updates.ToString(CultureInfo.InvariantCulture),
        F(UpdatesPerS), F(StepsPerS), ReplayFill.ToString(CultureInfo.InvariantCulture), Episodes.ToString(CultureInfo.InvariantCulture),
        F(MeanReturn), F(SuccessRate), F(Staleness), F(Loss), SafetyInterventions.ToString(CultureInfo.InvariantCulture));

    public static MetricsRow Parse(string line)
    {
        string[] p = line.Split(',');
        if (p.Length != 12) throw new FormatException($"metrics.csv: expected 12 columns, got {p.Length}: '{line}'.");
        double D(int i) => p[i].Length == 0 ? double.NaN : double.Parse(p[i], CultureInfo.InvariantCulture);
        long L(int i) => long.Parse(p[i], CultureInfo.InvariantCulture);
        return new MetricsRow(D(0), L(1), L(2), D(3), D(4), (int)L(5), L(6), D(7), D(8), D(9), (float)D(10), L(11));
    }

    private static string F(double v) => double.IsNaN(v) ? "" : v.ToString("G6", CultureInfo.InvariantCulture);
}

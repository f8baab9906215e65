using System.Globalization;

namespace NafNative.Learning;

/// <summary>One line of a run's metrics.csv.</summary>
/// <remarks>The counters after safety_interventions (replay: inserts dropped because a newer ticket had lapped them,
/// sampler rows retried because a writer raced the copy; environment steps discarded because the physics engine reset
/// an unstable state; learner updates skipped because their loss or gradient was NaN or ±∞; periodic checkpoints that
/// could not be written; steps on which the safety filter clamped a velocity, stopped a joint at its margin or stopped
/// the arm at the workspace box, or slid it along the box; transitions stored again with hindsight goals) are totals of this run so far. Rows written before a column
/// existed (a run resumed from an older build) parse with that column 0.</remarks>
public sealed record MetricsRow(double WallSeconds, long EnvSteps, long Updates, double UpdatesPerS, double StepsPerS,
    int ReplayFill, long Episodes, double MeanReturn, double SuccessRate, double Staleness, float Loss, long SafetyInterventions,
    long SupersededInserts = 0, long TornRetries = 0, long PhysicsResets = 0, long NonFiniteUpdates = 0, long CheckpointFailures = 0,
    long VelocityClamped = 0, long JointLimited = 0, long WorkspaceStopped = 0, long WorkspaceSlid = 0, long HindsightInserts = 0)
{
    public const string Header =
        "wall_seconds,env_steps,updates,updates_per_s,steps_per_s,replay_fill,episodes,mean_return,success_rate,staleness,loss,safety_interventions," +
        "superseded_inserts,torn_retries,physics_resets,nonfinite_updates,checkpoint_failures," +
        "safety_velocity_clamped,safety_joint_limited,safety_workspace_stopped,safety_workspace_slid,hindsight_inserts";

    private const int Columns = 22, FirstOptionalColumn = 12;

    /// <summary>Each worker's progress at this row (for live displays; written to workers.csv, not metrics.csv).</summary>
    public IReadOnlyList<WorkerSummary> Workers { get; init; } = [];

    public string ToCsv() => string.Join(',',
        F(WallSeconds), EnvSteps.ToString(CultureInfo.InvariantCulture), Updates.ToString(CultureInfo.InvariantCulture),
        F(UpdatesPerS), F(StepsPerS), ReplayFill.ToString(CultureInfo.InvariantCulture), Episodes.ToString(CultureInfo.InvariantCulture),
        F(MeanReturn), F(SuccessRate), F(Staleness), F(Loss), SafetyInterventions.ToString(CultureInfo.InvariantCulture),
        SupersededInserts.ToString(CultureInfo.InvariantCulture), TornRetries.ToString(CultureInfo.InvariantCulture),
        PhysicsResets.ToString(CultureInfo.InvariantCulture), NonFiniteUpdates.ToString(CultureInfo.InvariantCulture),
        CheckpointFailures.ToString(CultureInfo.InvariantCulture), VelocityClamped.ToString(CultureInfo.InvariantCulture),
        JointLimited.ToString(CultureInfo.InvariantCulture), WorkspaceStopped.ToString(CultureInfo.InvariantCulture),
        WorkspaceSlid.ToString(CultureInfo.InvariantCulture), HindsightInserts.ToString(CultureInfo.InvariantCulture));

    public static MetricsRow Parse(string line)
    {
        string[] p = line.Split(',');
        if (p.Length < FirstOptionalColumn || p.Length > Columns)
            throw new FormatException($"metrics.csv: expected {FirstOptionalColumn} to {Columns} columns, got {p.Length}: '{line}'.");
        double D(int i) => p[i].Length == 0 ? double.NaN : double.Parse(p[i], CultureInfo.InvariantCulture);
        long L(int i) => i < p.Length ? long.Parse(p[i], CultureInfo.InvariantCulture) : 0;
        return new MetricsRow(D(0), L(1), L(2), D(3), D(4), (int)L(5), L(6), D(7), D(8), D(9), (float)D(10), L(11), L(12), L(13), L(14), L(15), L(16), L(17), L(18), L(19), L(20), L(21));
    }

    private static string F(double v) => double.IsNaN(v) ? "" : v.ToString("G6", CultureInfo.InvariantCulture);
}

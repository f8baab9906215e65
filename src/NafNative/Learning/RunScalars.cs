namespace NafNative.Learning;

/// <summary>The TensorBoard tags of a run's scalars: each metrics.csv and evals.csv column under a namespaced tag
/// (cleanrl's <c>charts/</c>, <c>losses/</c>, <c>perf/</c>), with env steps as the step.</summary>
public static class RunScalars
{
    /// <summary>(tag, metrics.csv column) in the order written; wall_seconds and env_steps are the event's time and step.</summary>
    public static readonly IReadOnlyList<(string Tag, string Column)> MetricsTags =
    [
        ("charts/success_rate", "success_rate"), ("charts/mean_return", "mean_return"), ("charts/episodes", "episodes"),
        ("losses/td", "loss"), ("losses/nonfinite_updates", "nonfinite_updates"),
        ("perf/updates_per_s", "updates_per_s"), ("perf/steps_per_s", "steps_per_s"), ("perf/updates", "updates"),
        ("perf/snapshot_staleness", "staleness"),
        ("replay/fill", "replay_fill"), ("replay/superseded_inserts", "superseded_inserts"), ("replay/torn_retries", "torn_retries"),
        ("replay/hindsight_inserts", "hindsight_inserts"),
        ("safety/interventions", "safety_interventions"), ("safety/velocity_clamped", "safety_velocity_clamped"),
        ("safety/joint_limited", "safety_joint_limited"), ("safety/workspace_stopped", "safety_workspace_stopped"),
        ("safety/workspace_slid", "safety_workspace_slid"),
        ("sim/physics_resets", "physics_resets"), ("run/checkpoint_failures", "checkpoint_failures"),
    ];

    /// <summary>(tag, evals.csv column) of a periodic greedy evaluation.</summary>
    public static readonly IReadOnlyList<(string Tag, string Column)> EvalTags =
    [
        ("charts/eval_success_rate", "success_rate"), ("charts/eval_mean_return", "mean_return"),
    ];

    /// <summary>The tag the run's settings (config.json) are written under as text.</summary>
    public const string SettingsTag = "config";

    /// <summary>The row's values in <see cref="MetricsTags"/> order.</summary>
    public static (string Tag, double Value)[] Of(MetricsRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        double[] values =
        [
            row.SuccessRate, row.MeanReturn, row.Episodes, row.Loss, row.NonFiniteUpdates,
            row.UpdatesPerS, row.StepsPerS, row.Updates, row.Staleness,
            row.ReplayFill, row.SupersededInserts, row.TornRetries, row.HindsightInserts,
            row.SafetyInterventions, row.VelocityClamped, row.JointLimited, row.WorkspaceStopped, row.WorkspaceSlid,
            row.PhysicsResets, row.CheckpointFailures,
        ];
        var scalars = new (string, double)[values.Length];
        for (int i = 0; i < values.Length; i++) scalars[i] = (MetricsTags[i].Tag, values[i]);
        return scalars;
    }

    public static (string Tag, double Value)[] OfEval(double successRate, double meanReturn) =>
        [(EvalTags[0].Tag, successRate), (EvalTags[1].Tag, meanReturn)];
}

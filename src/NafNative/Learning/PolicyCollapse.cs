namespace NafNative.Learning;

/// <summary>Flags a greedy evaluation that fell far below a policy the run had already learned: the late divergence
/// seen on reach (a good policy, then Q estimates drifting until the greedy actions are wrong), reported in evals.csv
/// (<c>collapsed</c>) and as a warning, while best.naf keeps the good policy.</summary>
/// <remarks>Thresholds: the run's best evaluation reached at least <see cref="LearnedAt"/>, and this one is at least
/// <see cref="Drop"/> below it. Twenty-episode evaluations of a learned policy vary by a few episodes (±10–15
/// points); a fall of 50 points is not noise.</remarks>
public static class PolicyCollapse
{
    public const double LearnedAt = 0.9, Drop = 0.5;

    public static bool IsCollapse(double bestSuccess, double success) =>
        bestSuccess >= LearnedAt && success <= bestSuccess - Drop + 1e-9; // rates are k/n: no rounding may hide a drop
}

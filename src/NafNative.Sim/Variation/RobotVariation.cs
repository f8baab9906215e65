using System.Text.Json.Serialization;

namespace NafNative.Sim.Variation;

/// <summary>How much each simulated robot of a run differs from the nominal one: the ranges its calibration, physics,
/// latency and sensing are drawn from (per robot, reproducibly from the run's seed and the worker's index), as the
/// original work's several real arms differed from each other.</summary>
/// <remarks>
/// <para>Ranges are symmetric half-widths: each joint draws its own value uniformly in [−x, x] (percent of the nominal
/// value for masses, damping and gains; degrees for zero offsets); latency draws a whole number of control steps in
/// [0, <see cref="LatencySteps"/>] per robot; noises are standard deviations applied every step.</para>
/// <para>Presets (<see cref="Preset"/>): <c>none</c> (all zero: the nominal robot, bit for bit); <c>mild</c>: zero
/// offsets ±1°, link masses and inertias ±10 %, joint damping ±20 %, velocity-servo gain ±10 %, latency 0–1 step,
/// joint-angle noise 0.002 rad, joint-velocity noise 0.01 (of max speed), action noise 0.02; <c>strong</c>: ±3°, ±30 %,
/// ±50 %, ±30 %, 0–2 steps, 0.005 rad, 0.03, 0.05. A field given explicitly replaces the preset's; <see cref="Workers"/>
/// replaces fields for single workers ("0", "1", …).</para>
/// <para>Masses, damping and gains change the built-in arm's physics (reach); on the MuJoCo tasks only the
/// calibration, latency and noise apply (their physics come from the MJCF model).</para>
/// </remarks>
public sealed record RobotVariation
{
    public string Preset { get; init; } = "none";
    public double? JointOffsetDeg { get; init; }
    public double? MassPct { get; init; }
    public double? DampingPct { get; init; }
    public double? GainPct { get; init; }
    public int? LatencySteps { get; init; }
    public double? JointAngleNoiseRad { get; init; }
    public double? JointVelocityNoise { get; init; }
    public double? ActionNoise { get; init; }
    /// <summary>Per-worker replacements, keyed by worker index ("0", "1", …); their own <c>preset</c> is ignored.</summary>
    public Dictionary<string, RobotVariation>? Workers { get; init; }

    /// <summary>The presets and their ranges (the values <see cref="Resolve"/> starts from).</summary>
    public static readonly IReadOnlyDictionary<string, VariationRanges> Presets = new Dictionary<string, VariationRanges>
    {
        ["none"] = new(0, 0, 0, 0, 0, 0, 0, 0),
        ["mild"] = new(1, 10, 20, 10, 1, 0.002, 0.01, 0.02),
        ["strong"] = new(3, 30, 50, 30, 2, 0.005, 0.03, 0.05),
    };

    /// <summary>The ranges worker <paramref name="worker"/> draws from: the preset, this record's fields, then the
    /// worker's own replacements.</summary>
    public VariationRanges Resolve(int worker)
    {
        Validate();
        var ranges = Shared;
        if (Workers is not null && Workers.TryGetValue(worker.ToString(System.Globalization.CultureInfo.InvariantCulture), out var own))
            ranges = own.Override(ranges);
        return ranges;
    }

    /// <summary>Whether no worker can differ from the nominal robot: the ranges every worker resolves to are zero.</summary>
    [JsonIgnore]
    public bool IsNone => Shared.IsZero && (Workers is null || Workers.Values.All(w => w.Override(Shared).IsZero));

    // The preset with this record's fields over it: what a worker without its own replacements draws from.
    private VariationRanges Shared => Override(Presets[Preset]);

    private VariationRanges Override(VariationRanges r) => new(JointOffsetDeg ?? r.JointOffsetDeg, MassPct ?? r.MassPct, DampingPct ?? r.DampingPct,
        GainPct ?? r.GainPct, LatencySteps ?? r.LatencySteps, JointAngleNoiseRad ?? r.JointAngleNoiseRad,
        JointVelocityNoise ?? r.JointVelocityNoise, ActionNoise ?? r.ActionNoise);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first field out of its physical bounds.</summary>
    public void Validate(string where = "variation")
    {
        if (!Presets.ContainsKey(Preset)) Fail(where, "preset", $"must be one of {string.Join(", ", Presets.Keys)}, got '{Preset}'");
        Range(where, "joint_offset_deg", JointOffsetDeg, 30, "degrees of calibration error (a larger one is a different robot)");
        Range(where, "mass_pct", MassPct, 90, "percent: a link's mass must stay positive");
        Range(where, "damping_pct", DampingPct, 100, "percent: damping cannot become negative");
        Range(where, "gain_pct", GainPct, 90, "percent: the velocity servo's gain must stay positive");
        if (LatencySteps is int l && l is < 0 or > 10) Fail(where, "latency_steps", $"must be in [0, 10] control steps, got {l}");
        Range(where, "joint_angle_noise_rad", JointAngleNoiseRad, 0.1, "rad (standard deviation)");
        Range(where, "joint_velocity_noise", JointVelocityNoise, 1, "of the joint's maximum speed (standard deviation)");
        Range(where, "action_noise", ActionNoise, 1, "in action units (standard deviation)");
        if (Workers is null) return;
        foreach (var (key, value) in Workers)
        {
            if (!int.TryParse(key, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _))
                Fail(where, $"workers.{key}", "keys must be worker indices 0, 1, 2, …");
            if (value.Workers is not null) Fail(where, $"workers.{key}.workers", "per-worker replacements cannot nest");
            value.Validate($"{where}.workers.{key}");
        }
    }

    private static void Range(string where, string field, double? value, double max, string unit)
    {
        if (value is double v && !(v >= 0 && v <= max))
            Fail(where, field, $"must be in [0, {max}] {unit}, got {v}");
    }

    private static void Fail(string where, string field, string what) =>
        throw new ArgumentException($"config field '{where}.{field}': {what}.");
}

/// <summary>Resolved half-widths (see <see cref="RobotVariation"/> for units).</summary>
public readonly record struct VariationRanges(double JointOffsetDeg, double MassPct, double DampingPct, double GainPct, int LatencySteps,
    double JointAngleNoiseRad, double JointVelocityNoise, double ActionNoise)
{
    public bool IsZero => this == default;
}
